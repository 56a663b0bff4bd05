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
  CallOptions,
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
import { requireCallKey, requireId, requireMemberName, validateEngineConfig } from './library-validation.ts';
import { GroupCommit, type PersistenceHost } from './library-persistence.ts';
import type { StoredReservation } from '../store/library-store.ts';

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
  /** The client's name for the call, the same on its retries; with a store, its answer is remembered under it. */
  readonly callKey?: string;
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
  /**
   * With a store (persistence), every change is committed to it under the lock that guards the
   * change, and a client is answered only once what it is told is durable; null keeps the state
   * in memory only.
   */
  protected readonly durability: GroupCommit | null;
  /** With a store: the answers given to calls that named a key, so that a retry is answered, not done twice. */
  private readonly answers = new Map<string, string>();
  /** With a store: each reservation's deadline, fixed when it is committed, until its timer starts. */
  private readonly committedDeadlines = new Map<ReservationId, number>();
  private lifecycle: Lifecycle = 'new';
  private shutdownDone: Promise<void> | undefined;
  private lastCallId: CallId = 0;
  private lastReservationId: ReservationId = 0;

  constructor(
    protected readonly rt: Runtime,
    config: EngineConfig,
    private readonly events: EngineEventSink,
    persistence?: PersistenceHost,
  ) {
    if (typeof events !== 'function') throw new TypeError('createEngine: events must be a function');
    this.config = validateEngineConfig(config);
    this.durability = persistence === undefined ? null : new GroupCommit(rt, persistence);
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
    this.durability?.store.addMember(memberId, name);
    this.members.set(memberId, { memberId, name });
    this.emit({ type: 'member-registered', memberId, name, atMs: this.rt.now() });
    return { ok: true };
  }

  async addBook(bookId: BookId): Promise<AddBookResult> {
    requireId('addBook: bookId', bookId);
    const outcome = this.addUnderLock(await this.catalogueLock.lock(), bookId);
    if (this.durability !== null) await this.beforeAnswer(this.durability);
    return outcome;
  }

  private addUnderLock(release: Release, bookId: BookId): AddBookResult {
    try {
      if (this.catalogue.has(bookId)) return { ok: false, reason: 'exists' };
      this.durability?.store.addBook(bookId);
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

  async reserveBook(bookId: BookId, memberId: MemberId, options?: CallOptions): Promise<ReserveResult> {
    requireId('reserveBook: bookId', bookId);
    requireId('reserveBook: memberId', memberId);
    const callKey = requireCallKey('reserveBook: callKey', options?.callKey);
    if (this.lifecycle === 'new') throw new Error('reserveBook: call start() before the first reserve');
    if (this.lifecycle === 'stopping') throw new Error('reserveBook: the engine is shut down');
    const call = this.newCall('reserve-called', bookId, memberId, callKey);
    const repeated = this.repeatedAnswer<ReserveResult>(call);
    if (repeated !== undefined) return await repeated;
    this.reserveCalls.add(1);
    try {
      const outcome = await this.reserve(call);
      if (this.durability !== null) await this.beforeAnswer(this.durability);
      return outcome;
    } finally {
      this.reserveCalls.done();
    }
  }

  /** The reserve itself: the check and the reservation under the book's lock, then the request and the timer. */
  private async reserve(call: ClientCall): Promise<ReserveResult> {
    const { bookId, memberId } = call;
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
  }

  async returnBook(bookId: BookId, memberId: MemberId, options?: CallOptions): Promise<ReturnResult> {
    requireId('returnBook: bookId', bookId);
    requireId('returnBook: memberId', memberId);
    const callKey = requireCallKey('returnBook: callKey', options?.callKey);
    const call = this.newCall('return-called', bookId, memberId, callKey);
    const repeated = this.repeatedAnswer<ReturnResult>(call);
    if (repeated !== undefined) return await repeated;
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
    if (this.durability !== null) await this.beforeAnswer(this.durability);
    return outcome;
  }

  /** A new call's identity, announced by its `*-called` event. */
  private newCall(type: 'reserve-called' | 'return-called', bookId: BookId, memberId: MemberId, callKey: string | undefined): ClientCall {
    const callId = this.nextCallId();
    if (callKey === undefined) {
      this.emit({ type, callId, bookId, memberId, atMs: this.rt.now() });
      return { callId, bookId, memberId };
    }
    this.emit({ type, callId, bookId, memberId, callKey, atMs: this.rt.now() });
    return { callId, bookId, memberId, callKey };
  }

  /**
   * With a store, the answer already given to this call's key: a retry is told what the first
   * attempt was told, once that answer is durable, and nothing is done again. Undefined for a
   * call seen for the first time.
   */
  protected repeatedAnswer<Answer>(call: ClientCall): Promise<Answer> | undefined {
    if (this.durability === null || call.callKey === undefined) return undefined;
    const answer = this.answers.get(call.callKey);
    if (answer === undefined) return undefined;
    const durability = this.durability;
    this.emit({ type: 'call-repeated', callId: call.callId, callKey: call.callKey, bookId: call.bookId, memberId: call.memberId, atMs: this.rt.now() });
    return (async () => {
      await this.beforeAnswer(durability);
      return JSON.parse(answer) as Answer;
    })();
  }

  /** With a store: what must happen before a client (or a member waiting for a borrow) is told anything: its change made durable. */
  protected beforeAnswer(durability: GroupCommit): Promise<void> {
    return durability.beforeAnswer();
  }

  /** With a store: the answer a keyed call got, kept in the same transaction as its change. */
  private storedCall(call: ClientCall, answer: ReserveResult | ReturnResult): { key: string; result: string } | null {
    if (call.callKey === undefined) return null;
    const result = JSON.stringify(answer);
    this.answers.set(call.callKey, result);
    return { key: call.callKey, result };
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
   * With a store: the state of the process before this one, rebuilt from what was durable. The
   * members, the books and the last reservation id come back as stored; the workers start; every
   * live reservation's auto-cancel is armed for the deadline it had (so one that passed while the
   * process was down is cancelled at once); the borrow requests not processed are queued again,
   * in reservation order.
   */
  async recover(): Promise<void> {
    const { durability } = this;
    if (durability === null) throw new Error('recover: this engine has no store (createEngine was given no persistence)');
    if (this.lifecycle !== 'new') throw new Error('recover: call it once, instead of start()');
    const stored = durability.store.load();
    for (const member of stored.members) this.members.set(member.memberId, member);
    for (const book of stored.books) {
      const borrowed = book.borrowedBy !== 0;
      this.catalogue.set(book.bookId, {
        bookId: book.bookId,
        available: !borrowed,
        reservedBy: book.reservedBy,
        reservationId: book.reservationId,
        borrowed,
        borrowedBy: book.borrowedBy,
        mutex: this.rt.newMutex(`book:${book.bookId}`),
      });
      this.emit({ type: 'book-recovered', bookId: book.bookId, reservedBy: book.reservedBy, reservationId: book.reservationId, borrowedBy: book.borrowedBy, atMs: this.rt.now() });
    }
    this.lastReservationId = stored.lastReservationId;
    for (const [key, answer] of stored.calls) this.answers.set(key, answer);
    this.start();
    for (const reservation of stored.openReservations) {
      if (reservation.status === 'live') this.rearmAutoCancel(reservation);
    }
    for (const reservation of stored.openReservations) {
      if (!reservation.requestDone) await this.requeueRequest(reservation);
    }
    this.emit({ type: 'recovered', lsn: stored.lsn, atMs: this.rt.now() });
  }

  /** Recovery: arms a live reservation's auto-cancel for the deadline it was given. */
  protected rearmAutoCancel(reservation: StoredReservation): void {
    const request: BorrowRequest = { reservationId: reservation.reservationId, bookId: reservation.bookId, memberId: reservation.memberId };
    const deadlineMs = this.rearmDeadlineMs(reservation);
    this.armAutoCancel(request, deadlineMs - this.rt.now());
    this.emit({ type: 'cancel-timer-rearmed', reservationId: request.reservationId, bookId: request.bookId, memberId: request.memberId, deadlineMs, atMs: this.rt.now() });
  }

  /** The deadline a recovered reservation's auto-cancel is armed for: the one it was committed with. */
  protected rearmDeadlineMs(reservation: StoredReservation): number {
    return reservation.deadlineMs;
  }

  /** Recovery: queues again a borrow request the process before did not process. */
  protected async requeueRequest(reservation: StoredReservation): Promise<void> {
    const request: BorrowRequest = { reservationId: reservation.reservationId, bookId: reservation.bookId, memberId: reservation.memberId };
    await this.queue.send(request);
    this.emit({ type: 'request-requeued', reservationId: request.reservationId, bookId: request.bookId, memberId: request.memberId, atMs: this.rt.now() });
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
    const outcome: ReserveResult = { ok: true, reservationId };
    // One reading of the clock: the reservation is accepted at this instant, and its window runs
    // from it, though a real clock moves on while the transaction commits.
    const acceptedAtMs = this.rt.now();
    if (this.durability !== null) {
      // The deadline is part of the reservation: a restarted process cancels it on time.
      const deadlineMs = acceptedAtMs + this.config.cancelWindowMs;
      this.committedDeadlines.set(reservationId, deadlineMs);
      this.durability.store.reserve({ reservationId, bookId: book.bookId, memberId: call.memberId, deadlineMs }, this.storedCall(call, outcome));
    }
    book.reservedBy = call.memberId;
    book.reservationId = reservationId;
    this.emit({ type: 'reserve-accepted', callId: call.callId, bookId: call.bookId, memberId: call.memberId, reservationId, atMs: acceptedAtMs });
    return outcome;
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
    const nowMs = this.rt.now();
    // With a store the deadline was fixed when the reservation committed, so that a process that
    // restarts before the timer starts still cancels it; a timer that starts later (the reserve
    // waited for room in the queue) moves it to a window from now, as the timer counts it. Late
    // means by a millisecond or more: a real clock always moves a little between the commit and
    // here, and moving the deadline by those microseconds would cost every reserve a transaction.
    let deadlineMs = this.committedDeadlines.get(request.reservationId) ?? nowMs + this.config.cancelWindowMs;
    this.committedDeadlines.delete(request.reservationId);
    if (this.durability !== null && deadlineMs <= nowMs + this.config.cancelWindowMs - 1) {
      deadlineMs = nowMs + this.config.cancelWindowMs;
      this.durability.store.setDeadline(request.reservationId, deadlineMs);
    }
    this.armAutoCancel(request, deadlineMs - nowMs - this.config.cancelWindowMs + this.autoCancelDelayMs());
    this.emit({ type: 'cancel-timer-started', reservationId: request.reservationId, bookId: request.bookId, memberId: request.memberId, deadlineMs, atMs: nowMs });
  }

  /** Sets the timer that runs the auto-cancel of `request` after `delayMs`. */
  private armAutoCancel(request: BorrowRequest, delayMs: number): void {
    this.timers.add(1);
    this.rt.afterFunc(`cancel:r${request.reservationId}`, Math.max(0, delayMs), async () => {
      try {
        await this.autoCancel(request);
      } finally {
        this.timers.done();
      }
    });
  }

  /** How long the timer waits: the whole window, so it fires no earlier than the deadline it reports. */
  protected autoCancelDelayMs(): number {
    return this.config.cancelWindowMs;
  }

  // ---- Auto-cancel -------------------------------------------------------------------------

  /** The timer's task: clears the reservation if the rule allows, under the book's lock. */
  protected async autoCancel(request: BorrowRequest): Promise<void> {
    if (this.durability !== null) await this.durability.crashPoint('in-timer');
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
      this.durability?.store.cancel(request.reservationId, book.bookId);
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
    if (this.durability !== null) await this.durability.crashPoint('in-worker');
    // The work takes time before any lock is taken, so no time passes while a lock is held.
    await this.rt.work(this.config.borrowWorkMinMs, this.config.borrowWorkMaxMs);
    // lookupBook and borrowUnderLock in place when they are this class's own (see `ownAsyncSteps`).
    const book = this.ownAsyncSteps ? this.readBook(await this.catalogueLock.rLock(), request.bookId) : await this.lookupBook(request.bookId);
    if (book === undefined) throw new Error(`borrow r${request.reservationId}: book ${request.bookId} vanished`);
    const borrowed = this.ownAsyncSteps ? this.borrowLocked(await book.mutex.lock(), book, request) : await this.borrowUnderLock(book, request);
    this.emit({ type: 'request-processed', reservationId: request.reservationId, bookId: request.bookId, memberId: request.memberId, borrowed, atMs: this.rt.now() });
    if (borrowed && this.durability !== null) {
      // The member is told once the borrow is durable.
      await this.beforeAnswer(this.durability);
      this.emit({ type: 'borrow-notified', reservationId: request.reservationId, bookId: request.bookId, memberId: request.memberId, atMs: this.rt.now() });
    }
  }

  /** Borrows the book for the request's member if the rule allows; says whether it did. */
  protected async borrowUnderLock(book: BookRecord, request: BorrowRequest): Promise<boolean> {
    return this.borrowLocked(await book.mutex.lock(), book, request);
  }

  /** borrowUnderLock's critical section; `release` frees the book's lock, which the caller holds. */
  private borrowLocked(release: Release, book: BookRecord, request: BorrowRequest): boolean {
    try {
      if (!this.mayBorrow(book, request)) {
        this.recordRequestDone(request);
        return false;
      }
      this.commitBorrow(book, request);
      return true;
    } finally {
      release();
    }
  }

  /** Lends the book to the request's member, ending its reservation. Call holding the book's lock. */
  protected commitBorrow(book: BookRecord, request: BorrowRequest): void {
    this.durability?.store.borrow(request.reservationId, book.bookId, request.memberId);
    book.borrowed = true;
    book.borrowedBy = request.memberId;
    book.available = false;
    book.reservedBy = 0;
    book.reservationId = 0;
    this.emit({ type: 'borrowed', reservationId: request.reservationId, bookId: request.bookId, memberId: request.memberId, atMs: this.rt.now() });
  }

  /** With a store: a request that found nothing to borrow is processed all the same, so recovery does not queue it again. */
  protected recordRequestDone(request: BorrowRequest): void {
    this.durability?.store.requestDone(request.reservationId);
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
    const outcome: ReturnResult = { ok: true };
    this.durability?.store.returnBook(book.bookId, this.storedCall(call, outcome));
    book.borrowed = false;
    book.borrowedBy = 0;
    book.available = true;
    this.emit({ type: 'returned', callId: call.callId, bookId: call.bookId, memberId: call.memberId, atMs: this.rt.now() });
    return outcome;
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
export const createEngine: EngineFactory = (runtime, config, events, persistence) => new LibraryService(runtime, config, events, persistence);
