// The library reservation service, following the Go seed: a catalogue of books behind an RWMutex,
// a mutex per book, a buffered queue of borrow requests drained by a worker (or a bounded pool),
// and a timer per reservation that auto-cancels it. It is written against the Runtime only, so
// it runs unchanged on Node timers and under the simulated scheduler.
//
// Two rules differ from the seed, both for the same reason: once books can be returned and
// reserved again, a member can hold a later reservation of a book an older request or timer still
// refers to. The seed compares the member, which the later reservation also matches; here a
// borrow request and an auto-cancel act only on the very reservation that created them.
//
// Each step is a protected method, so a variant (the bug zoo in ./bugs/) replaces exactly the
// step it gets wrong and inherits the rest.

import type {
  AddBookResult,
  BookId,
  BookSnapshot,
  CallId,
  EngineConfig,
  EngineEvent,
  EngineEventSink,
  EngineFactory,
  LibraryEngine,
  MemberId,
  RegisterResult,
  ReservationId,
  ReserveRefusal,
  ReserveResult,
  ReturnRefusal,
  ReturnResult,
} from './api.ts';
import type { Channel, Mutex, Release, Runtime, RWMutex, WaitGroup } from '../runtime/runtime.ts';
import { requireId, requireMemberName, validateEngineConfig } from './library-validation.ts';

/** A book's state (the Go `Book`), guarded by its own mutex. */
export interface BookRecord {
  readonly bookId: BookId;
  /** False while the book is borrowed. */
  available: boolean;
  /** The member holding the live reservation; 0 when none. */
  reservedBy: MemberId;
  /** The live reservation's identity; 0 when none. Set and cleared together with `reservedBy`. */
  reservationId: ReservationId;
  borrowed: boolean;
  /** 0 when the book is not borrowed. */
  borrowedBy: MemberId;
  readonly mutex: Mutex;
}

export interface Member {
  readonly memberId: MemberId;
  readonly name: string;
}

/** What a reserve puts on the queue (the Go `ReservationRequest`); also what its timer remembers. */
export interface BorrowRequest {
  readonly reservationId: ReservationId;
  readonly bookId: BookId;
  readonly memberId: MemberId;
}

/** One client call (reserve or return), as its events name it. */
export interface ClientCall {
  readonly callId: CallId;
  readonly bookId: BookId;
  readonly memberId: MemberId;
}

type Lifecycle = 'new' | 'running' | 'stopping';

const settledPromise: Promise<void> = Promise.resolve();

export class LibraryService implements LibraryEngine {
  protected readonly config: EngineConfig;
  /** The catalogue (the Go `books` map), guarded by `catalogueLock`. */
  protected readonly catalogue = new Map<BookId, BookRecord>();
  protected readonly catalogueLock: RWMutex;
  /** Written only by `registerMember`, which is synchronous, so it needs no lock. */
  protected readonly members = new Map<MemberId, Member>();
  /** Bounded by `config.queueCapacity`: a reserve waits while it is full. */
  protected readonly queue: Channel<BorrowRequest>;
  /** Counts the running workers, so shutdown knows the queue is drained. */
  protected readonly workers: WaitGroup;
  /** Counts borrow-handler tasks (workerCount 0), so shutdown waits for the last borrow. */
  protected readonly handlers: WaitGroup;
  /** Counts auto-cancel timers not yet finished, so shutdown waits for every cancel. */
  protected readonly timers: WaitGroup;
  /** Counts reserve calls in flight, so shutdown closes the queue only after their last send. */
  protected readonly reserveCalls: WaitGroup;

  /**
   * True unless a variant replaced one of the async steps below the public operations
   * (reserveInCatalogue, reserveUnderLock, enqueueRequest, returnUnderLock, borrowUnderLock,
   * lookupBook), and unless the catalogue is slow (its read is a scheduling point that only
   * lookupBook makes).
   * The operations then run those steps' bodies in place, built from the same synchronous
   * critical sections, instead of calling them: each async call between two scheduling points
   * costs a promise and a microtask turn, and these are the engine's busiest paths. The runtime
   * calls, and so the schedules, are the same either way; a variant that replaces a step has
   * every step called, as the design promises.
   */
  private readonly ownAsyncSteps: boolean;
  private lifecycle: Lifecycle = 'new';
  private shutdownDone: Promise<void> | undefined;
  private lastCallId: CallId = 0;
  private lastReservationId: ReservationId = 0;

  constructor(
    protected readonly rt: Runtime,
    config: EngineConfig,
    private readonly events: EngineEventSink,
  ) {
    if (typeof events !== 'function') throw new TypeError('createEngine: events must be a function');
    this.config = validateEngineConfig(config);
    this.catalogueLock = rt.newRWMutex('books');
    this.queue = rt.newChannel<BorrowRequest>('borrow-requests', this.config.queueCapacity);
    this.workers = rt.newWaitGroup('workers');
    this.handlers = rt.newWaitGroup('borrow-handlers');
    this.timers = rt.newWaitGroup('cancel-timers');
    this.reserveCalls = rt.newWaitGroup('reserve-calls');
    const own = LibraryService.prototype;
    // A slow catalogue's read is a scheduling point inside lookupBook, so it is called then.
    this.ownAsyncSteps =
      (this.config.catalogueReadWorkMaxMs ?? 0) === 0 &&
      this.reserveInCatalogue === own.reserveInCatalogue &&
      this.reserveUnderLock === own.reserveUnderLock &&
      this.enqueueRequest === own.enqueueRequest &&
      this.returnUnderLock === own.returnUnderLock &&
      this.borrowUnderLock === own.borrowUnderLock &&
      this.lookupBook === own.lookupBook;
  }

  // ---- Client operations -------------------------------------------------------------------

  registerMember(memberId: MemberId, name: string): RegisterResult {
    requireId('registerMember: memberId', memberId);
    requireMemberName('registerMember: name', name);
    if (this.members.has(memberId)) return { ok: false, reason: 'exists' };
    this.members.set(memberId, { memberId, name });
    this.emit({ type: 'member-registered', memberId, name, atMs: this.rt.now() });
    return { ok: true };
  }

  async addBook(bookId: BookId): Promise<AddBookResult> {
    requireId('addBook: bookId', bookId);
    const release = await this.catalogueLock.lock();
    try {
      if (this.catalogue.has(bookId)) return { ok: false, reason: 'exists' };
      this.catalogue.set(bookId, {
        bookId,
        available: true,
        reservedBy: 0,
        reservationId: 0,
        borrowed: false,
        borrowedBy: 0,
        mutex: this.rt.newMutex(`book:${bookId}`),
      });
      this.emit({ type: 'book-added', bookId, atMs: this.rt.now() });
      return { ok: true };
    } finally {
      release();
    }
  }

  async reserveBook(bookId: BookId, memberId: MemberId): Promise<ReserveResult> {
    requireId('reserveBook: bookId', bookId);
    requireId('reserveBook: memberId', memberId);
    if (this.lifecycle === 'new') throw new Error('reserveBook: call start() before the first reserve');
    if (this.lifecycle === 'stopping') throw new Error('reserveBook: the engine is shut down');
    const call: ClientCall = { callId: this.nextCallId(), bookId, memberId };
    this.emit({ type: 'reserve-called', callId: call.callId, bookId: call.bookId, memberId: call.memberId, atMs: this.rt.now() });
    this.reserveCalls.add(1);
    try {
      let outcome: ReserveResult;
      if (!this.members.has(memberId)) {
        outcome = { ok: false, reason: 'unknown-member' };
      } else if (this.ownAsyncSteps) {
        // reserveInCatalogue, lookupBook and reserveUnderLock in place (see `ownAsyncSteps`).
        const book = this.readBook(await this.catalogueLock.rLock(), bookId);
        outcome = book === undefined ? { ok: false, reason: 'unknown-book' } : this.reserveLocked(await book.mutex.lock(), book, call);
      } else {
        outcome = await this.reserveInCatalogue(call);
      }
      if (!outcome.ok) {
        this.emit({ type: 'reserve-refused', callId: call.callId, bookId: call.bookId, memberId: call.memberId, reason: outcome.reason, atMs: this.rt.now() });
        return outcome;
      }
      const request: BorrowRequest = { reservationId: outcome.reservationId, bookId, memberId };
      // As in the seed: enqueue first (waiting while the queue is full), then start the timer,
      // so the window is measured from the moment the request is queued.
      if (this.ownAsyncSteps) {
        // enqueueRequest in place (see `ownAsyncSteps`).
        await this.queue.send(request);
        this.requestEnqueued(request);
      } else {
        await this.enqueueRequest(request);
      }
      this.startAutoCancel(request);
      return outcome;
    } finally {
      this.reserveCalls.done();
    }
  }

  async returnBook(bookId: BookId, memberId: MemberId): Promise<ReturnResult> {
    requireId('returnBook: bookId', bookId);
    requireId('returnBook: memberId', memberId);
    const call: ClientCall = { callId: this.nextCallId(), bookId, memberId };
    this.emit({ type: 'return-called', callId: call.callId, bookId: call.bookId, memberId: call.memberId, atMs: this.rt.now() });
    let outcome: ReturnResult;
    if (!this.members.has(memberId)) {
      outcome = { ok: false, reason: 'unknown-member' };
    } else if (this.ownAsyncSteps) {
      // lookupBook and returnUnderLock in place (see `ownAsyncSteps`).
      const book = this.readBook(await this.catalogueLock.rLock(), bookId);
      outcome = book === undefined ? { ok: false, reason: 'unknown-book' } : this.returnLocked(await book.mutex.lock(), book, call);
    } else {
      const book = await this.lookupBook(bookId);
      outcome = book === undefined ? { ok: false, reason: 'unknown-book' } : await this.returnUnderLock(book, call);
    }
    if (!outcome.ok) this.emit({ type: 'return-refused', callId: call.callId, bookId: call.bookId, memberId: call.memberId, reason: outcome.reason, atMs: this.rt.now() });
    return outcome;
  }

  start(): void {
    if (this.lifecycle === 'stopping') throw new Error('start: the engine is shut down');
    if (this.lifecycle === 'running') throw new Error('start: the engine was already started');
    this.lifecycle = 'running';
    if (this.config.workerCount === 0) {
      this.spawnWorker('worker');
      return;
    }
    for (let index = 1; index <= this.config.workerCount; index++) this.spawnWorker(`worker-${index}`);
  }

  /**
   * Waits for the reserve calls in flight, closes the queue, and waits until the workers have
   * drained it, every borrow handler has finished and every timer has fired. Calling it again
   * returns the same promise.
   */
  shutdown(): Promise<void> {
    this.shutdownDone ??= this.drainAndStop();
    return this.shutdownDone;
  }

  books(): BookSnapshot[] {
    const snapshots: BookSnapshot[] = [];
    let ascending = true;
    for (const book of this.catalogue.values()) {
      if (snapshots.length > 0 && (snapshots[snapshots.length - 1] as BookSnapshot).bookId > book.bookId) ascending = false;
      snapshots.push({
        bookId: book.bookId,
        available: book.available,
        reservedBy: book.reservedBy,
        borrowed: book.borrowed,
        borrowedBy: book.borrowedBy,
      });
    }
    // Books are mostly added in id order, and a run ends with this call: skip a sort not needed.
    if (!ascending) snapshots.sort((left, right) => left.bookId - right.bookId);
    return snapshots;
  }

  // ---- Reserve -----------------------------------------------------------------------------

  /** Finds the book and reserves it under its lock; the map lock is not held meanwhile. */
  protected async reserveInCatalogue(call: ClientCall): Promise<ReserveResult> {
    const book = await this.lookupBook(call.bookId);
    if (book === undefined) return { ok: false, reason: 'unknown-book' };
    // Awaited rather than returned: an async function returning a promise takes two more
    // microtask turns to settle than one awaiting it.
    return await this.reserveUnderLock(book, call);
  }

  /** Checks and sets the reservation in one hold of the book's lock, so two callers cannot both win. */
  protected async reserveUnderLock(book: BookRecord, call: ClientCall): Promise<ReserveResult> {
    return this.reserveLocked(await book.mutex.lock(), book, call);
  }

  /** reserveUnderLock's critical section; `release` frees the book's lock, which the caller holds. */
  private reserveLocked(release: Release, book: BookRecord, call: ClientCall): ReserveResult {
    try {
      const refusal = this.reserveRefusal(book);
      if (refusal !== undefined) return { ok: false, reason: refusal };
      return this.commitReservation(book, call);
    } finally {
      release();
    }
  }

  /** Why the book cannot be reserved now, or undefined if it can. Call holding the book's lock. */
  protected reserveRefusal(book: BookRecord): ReserveRefusal | undefined {
    // Borrowed first: while borrowed, `available` is false too, and 'borrowed' says more.
    if (book.borrowed) return 'borrowed';
    if (book.reservedBy !== 0) return 'reserved';
    if (!book.available) return 'unavailable';
    return undefined;
  }

  /** Makes the reservation. Call holding the book's lock, after checking it is free. */
  protected commitReservation(book: BookRecord, call: ClientCall): ReserveResult {
    const reservationId = this.nextReservationId();
    book.reservedBy = call.memberId;
    book.reservationId = reservationId;
    this.emit({ type: 'reserve-accepted', callId: call.callId, bookId: call.bookId, memberId: call.memberId, reservationId, atMs: this.rt.now() });
    return { ok: true, reservationId };
  }

  /** Sends the request, waiting while the queue is full (a Go send on a full buffered channel). */
  protected async enqueueRequest(request: BorrowRequest): Promise<void> {
    await this.queue.send(request);
    this.requestEnqueued(request);
  }

  private requestEnqueued(request: BorrowRequest): void {
    this.emit({ type: 'request-enqueued', reservationId: request.reservationId, bookId: request.bookId, memberId: request.memberId, atMs: this.rt.now() });
  }

  /** Starts the timer that cancels the reservation if it is still unborrowed at its deadline. */
  protected startAutoCancel(request: BorrowRequest): void {
    const deadlineMs = this.rt.now() + this.config.cancelWindowMs;
    this.timers.add(1);
    this.rt.afterFunc(`cancel:r${request.reservationId}`, this.autoCancelDelayMs(), async () => {
      try {
        await this.autoCancel(request);
      } finally {
        this.timers.done();
      }
    });
    this.emit({ type: 'cancel-timer-started', reservationId: request.reservationId, bookId: request.bookId, memberId: request.memberId, deadlineMs, atMs: this.rt.now() });
  }

  /** How long the timer waits: the whole window, so it fires no earlier than the deadline it reports. */
  protected autoCancelDelayMs(): number {
    return this.config.cancelWindowMs;
  }

  // ---- Auto-cancel -------------------------------------------------------------------------

  /** The timer's task: clears the reservation if the rule allows, under the book's lock. */
  protected async autoCancel(request: BorrowRequest): Promise<void> {
    // lookupBook in place when it is this class's own (see `ownAsyncSteps`).
    const book = this.ownAsyncSteps ? this.readBook(await this.catalogueLock.rLock(), request.bookId) : await this.lookupBook(request.bookId);
    // Books are never removed, and a request names a book that was found when it was reserved.
    if (book === undefined) throw new Error(`auto-cancel r${request.reservationId}: book ${request.bookId} vanished`);
    const release = await book.mutex.lock();
    try {
      if (!this.mayAutoCancel(book, request)) {
        this.emit({ type: 'cancel-skipped', reservationId: request.reservationId, bookId: request.bookId, memberId: request.memberId, atMs: this.rt.now() });
        return;
      }
      book.reservedBy = 0;
      book.reservationId = 0;
      this.emit({ type: 'cancelled', reservationId: request.reservationId, bookId: request.bookId, memberId: request.memberId, atMs: this.rt.now() });
    } finally {
      release();
    }
  }

  /**
   * The timer clears only its own reservation, and only while unborrowed. The seed checks
   * `ReservedBy == member`, which a later reservation of the same member also passes.
   */
  protected mayAutoCancel(book: BookRecord, request: BorrowRequest): boolean {
    return book.reservationId === request.reservationId && !book.borrowed;
  }

  // ---- Workers and borrow handling ----------------------------------------------------------

  private spawnWorker(name: string): void {
    this.workers.add(1);
    this.rt.go(name, async () => {
      try {
        await this.workerLoop();
      } finally {
        this.workers.done();
      }
    });
  }

  /**
   * Takes requests until the queue is closed and drained (Go's `range reqChan`). Bounded: each
   * pass takes one request, and only reserve calls, which end before shutdown closes the queue,
   * put requests in.
   */
  protected async workerLoop(): Promise<void> {
    // receive() rather than `for await`: an async iterator costs several promises per request.
    for (;;) {
      const received = await this.queue.receive();
      if (!received.ok) return;
      await this.dispatch(received.value);
    }
  }

  /** Hands a request to a borrow handler: its own task in the Go design, inline in a pool worker. */
  protected dispatch(request: BorrowRequest): Promise<void> {
    // Not async: in a pool it hands back the borrow's own promise, and otherwise there is
    // nothing to wait for; an async wrapper would cost a promise per request either way.
    if (this.config.workerCount > 0) return this.processBorrow(request);
    this.handlers.add(1);
    this.rt.go(`borrow:r${request.reservationId}`, async () => {
      try {
        await this.processBorrow(request);
      } finally {
        this.handlers.done();
      }
    });
    return settledPromise;
  }

  /** Processes one request: the work first, then the borrow under the book's lock. */
  protected async processBorrow(request: BorrowRequest): Promise<void> {
    // The work takes time before any lock is taken, so no time passes while a lock is held.
    await this.rt.work(this.config.borrowWorkMinMs, this.config.borrowWorkMaxMs);
    // lookupBook and borrowUnderLock in place when they are this class's own (see `ownAsyncSteps`).
    const book = this.ownAsyncSteps ? this.readBook(await this.catalogueLock.rLock(), request.bookId) : await this.lookupBook(request.bookId);
    if (book === undefined) throw new Error(`borrow r${request.reservationId}: book ${request.bookId} vanished`);
    const borrowed = this.ownAsyncSteps ? this.borrowLocked(await book.mutex.lock(), book, request) : await this.borrowUnderLock(book, request);
    this.emit({ type: 'request-processed', reservationId: request.reservationId, bookId: request.bookId, memberId: request.memberId, borrowed, atMs: this.rt.now() });
  }

  /** Borrows the book for the request's member if the rule allows; says whether it did. */
  protected async borrowUnderLock(book: BookRecord, request: BorrowRequest): Promise<boolean> {
    return this.borrowLocked(await book.mutex.lock(), book, request);
  }

  /** borrowUnderLock's critical section; `release` frees the book's lock, which the caller holds. */
  private borrowLocked(release: Release, book: BookRecord, request: BorrowRequest): boolean {
    try {
      if (!this.mayBorrow(book, request)) return false;
      this.commitBorrow(book, request);
      return true;
    } finally {
      release();
    }
  }

  /** Lends the book to the request's member, ending its reservation. Call holding the book's lock. */
  protected commitBorrow(book: BookRecord, request: BorrowRequest): void {
    book.borrowed = true;
    book.borrowedBy = request.memberId;
    book.available = false;
    book.reservedBy = 0;
    book.reservationId = 0;
    this.emit({ type: 'borrowed', reservationId: request.reservationId, bookId: request.bookId, memberId: request.memberId, atMs: this.rt.now() });
  }

  /**
   * Only the request of the book's live reservation borrows it. The seed compares the member,
   * which lets an older request of the same member take a later reservation's borrow.
   */
  protected mayBorrow(book: BookRecord, request: BorrowRequest): boolean {
    return book.reservationId === request.reservationId && !book.borrowed;
  }

  // ---- Return ------------------------------------------------------------------------------

  /** Returns the book under its lock. */
  protected async returnUnderLock(book: BookRecord, call: ClientCall): Promise<ReturnResult> {
    return this.returnLocked(await book.mutex.lock(), book, call);
  }

  /** returnUnderLock's critical section; `release` frees the book's lock, which the caller holds. */
  private returnLocked(release: Release, book: BookRecord, call: ClientCall): ReturnResult {
    try {
      return this.applyReturn(book, call);
    } finally {
      release();
    }
  }

  /** Makes the book available again if the caller borrowed it. Call holding the book's lock. */
  protected applyReturn(book: BookRecord, call: ClientCall): ReturnResult {
    const refusal = this.returnRefusal(book, call.memberId);
    if (refusal !== undefined) return { ok: false, reason: refusal };
    book.borrowed = false;
    book.borrowedBy = 0;
    book.available = true;
    this.emit({ type: 'returned', callId: call.callId, bookId: call.bookId, memberId: call.memberId, atMs: this.rt.now() });
    return { ok: true };
  }

  /** Why the member cannot return the book, or undefined if they can. Call holding the book's lock. */
  protected returnRefusal(book: BookRecord, memberId: MemberId): ReturnRefusal | undefined {
    if (!book.borrowed) return 'not-borrowed';
    if (book.borrowedBy !== memberId) return 'borrowed-by-other';
    return undefined;
  }

  // ---- Shared steps ------------------------------------------------------------------------

  /**
   * Gets the book under the map's read lock, released before the caller locks the book (as the
   * seed does). A slow catalogue (`catalogueReadWorkMaxMs`) takes its time with the lock held.
   */
  protected async lookupBook(bookId: BookId): Promise<BookRecord | undefined> {
    const release = await this.catalogueLock.rLock();
    const readWorkMaxMs = this.config.catalogueReadWorkMaxMs ?? 0;
    if (readWorkMaxMs > 0) {
      try {
        await this.rt.work(0, readWorkMaxMs);
      } catch (error) {
        release();
        throw error;
      }
    }
    return this.readBook(release, bookId);
  }

  /** lookupBook's critical section: reads the book and releases the read lock `release` came from. */
  protected readBook(release: Release, bookId: BookId): BookRecord | undefined {
    try {
      return this.catalogue.get(bookId);
    } finally {
      release();
    }
  }

  /**
   * Hands a freshly built event, and its ownership, to the sink. Each event is built whole, the
   * clock's `atMs` last, so that every event of a type has one shape from its literal on.
   */
  protected emit(event: EngineEvent): void {
    this.events(event);
  }

  protected nextReservationId(): ReservationId {
    this.lastReservationId += 1;
    return this.lastReservationId;
  }

  private nextCallId(): CallId {
    this.lastCallId += 1;
    return this.lastCallId;
  }

  private async drainAndStop(): Promise<void> {
    this.lifecycle = 'stopping';
    await this.reserveCalls.wait();
    this.queue.close();
    // Workers first: once they are done, every handler they will ever start has been counted.
    await this.workers.wait();
    await this.handlers.wait();
    await this.timers.wait();
  }
}

/** Builds the production engine; the configuration is validated first, with clear RangeErrors. */
export const createEngine: EngineFactory = (runtime, config, events) => new LibraryService(runtime, config, events);
