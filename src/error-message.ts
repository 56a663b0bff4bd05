// One line for a thrown value, for messages that people read after a clear prefix.

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
