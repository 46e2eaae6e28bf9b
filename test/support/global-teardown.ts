export default async function globalTeardown(): Promise<void> {
  const stop = (globalThis as Record<string, unknown>).__lakevaultStop as (() => Promise<unknown>) | undefined;
  if (stop) await stop();
}
