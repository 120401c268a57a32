/** Bytes and time (performance.now()) of one progress sample. */
export interface Sample {
  time: number;
  bytes: number;
}

/** The window (ms) the speed is smoothed over: older samples weigh less, with e-fold per window. */
const SPEED_WINDOW_MS = 2000;

/** The smoothed speed (bytes/s) once `bytes` are up at `now`, from the one before and its sample. */
export function smoothed(speed: number, last: Sample | null, now: number, bytes: number): number {
  if (!last || now <= last.time) return speed;
  const dt = now - last.time;
  const instant = ((bytes - last.bytes) * 1000) / dt;
  const alpha = 1 - Math.exp(-dt / SPEED_WINDOW_MS);
  return speed === 0 ? instant : speed + alpha * (instant - speed);
}
