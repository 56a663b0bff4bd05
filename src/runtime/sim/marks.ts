// Coverage marks of the simulated runtime: rare situations that only the runtime can see (a send
// issued while the channel is full, a writer asking for an RW lock that readers hold), counted by
// name per run. The coverage probes (src/check/probes.ts) read them; nothing decides on them.

export const runtimeMarkNames = {
  /** A send issued while the channel's buffer was full: the sender waits for room. */
  sendBlockedOnFullChannel: (channelName: string): string => `send-blocked-on-full:${channelName}`,
  /** A writer asked for the RW lock while readers held it: it waits for them to leave. */
  writerWaitsOnReaders: (rwMutexName: string): string => `writer-waits-on-readers:${rwMutexName}`,
} as const;
