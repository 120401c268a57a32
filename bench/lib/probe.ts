// Preloaded into every server child (`node --expose-gc --import probe.mjs ...`): answers the parent's
// IPC ping with process.cpuUsage() and memoryUsage() (after a full GC when asked), without touching
// the server's code.
if (process.send) {
  process.on('message', (msg: unknown) => {
    if (msg !== 'probe' && msg !== 'gc') return;
    if (msg === 'gc') (globalThis as { gc?: () => void }).gc?.();
    process.send!({ cpu: process.cpuUsage(), mem: process.memoryUsage() });
  });
  process.channel?.unref();
}
