import { defineLocale, percent, sizes, timeLeft, unit, unitsIn } from './intl.js';

const tag = 'es';
const pct = percent(tag);
const secs = unit(tag, 'second', 'short');

/** Spanish. */
export const es = defineLocale(tag, {
  drop: 'Suelta los archivos aquí o haz clic para elegirlos',
  pause: 'Pausar',
  resume: 'Reanudar',
  retry: 'Reintentar',
  cancel: 'Cancelar',
  remove: 'Quitar',
  fileAction: (action, fileName) => `${action} ${fileName}`,
  queued: 'En cola',
  checking: 'Conectando',
  paused: 'En pausa',
  done: 'Listo',
  waitingForNetwork: 'Esperando la red',
  uploadingElsewhere: 'Subiendo en otra pestaña',
  needsPermission: 'Interrumpido: reanuda para continuar',
  needsFile: 'Interrumpido: vuelve a elegir el archivo para continuar',
  retryingIn: (seconds) => `Reintentando en ${secs(seconds)}`,
  progress: (uploaded, total, left) => `${uploaded} de ${total}${left ? `, ${left}` : ''}`,
  formatSize: sizes(tag),
  // The verb agrees with the number: "queda 1 minuto", "quedan 2 minutos".
  formatTimeLeft: timeLeft(
    'quedan unos segundos',
    unitsIn(tag, { one: 'queda aproximadamente #', other: 'quedan aproximadamente #' }),
  ),
  started: (fileName) => `Subiendo ${fileName}`,
  milestone: (fileName, p) => `${fileName}: ${pct(p)}`,
  completed: (fileName) => `${fileName} subido`,
  failed: (fileName, reason) => `Error al subir ${fileName}: ${reason}`,
  rejectType: (fileName) => `${fileName} no es un tipo de archivo aceptado`,
  rejectSize: (fileName, maxSize) => `${fileName} supera ${maxSize}`,
  rejectCount: (fileName) => `${fileName} no se añadió: demasiados archivos`,
  stillUploading: 'Todavía hay archivos subiéndose',
  uploadFailed: 'Falló una subida: reinténtala o quítala',
  required: 'Añade un archivo',
});
