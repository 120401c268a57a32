import { defineLocale, percent, sizes, timeLeft, unit, unitsIn } from './intl.js';

const tag = 'it';
const pct = percent(tag);
const secs = unit(tag, 'second', 'short');

/** Italian. */
export const it = defineLocale(tag, {
  drop: 'Trascina qui i file o fai clic per sceglierli',
  pause: 'Pausa',
  resume: 'Riprendi',
  retry: 'Riprova',
  cancel: 'Annulla',
  remove: 'Rimuovi',
  fileAction: (action, fileName) => `${action} ${fileName}`,
  queued: 'In coda',
  checking: 'Connessione in corso',
  paused: 'In pausa',
  done: 'Completato',
  waitingForNetwork: 'In attesa della rete',
  uploadingElsewhere: 'Caricamento in un’altra scheda',
  needsPermission: 'Interrotto: riprendi per continuare',
  needsFile: 'Interrotto: scegli di nuovo il file per continuare',
  retryingIn: (seconds) => `Nuovo tentativo tra ${secs(seconds)}`,
  progress: (uploaded, total, left) => `${uploaded} di ${total}${left ? `, ${left}` : ''}`,
  formatSize: sizes(tag),
  // The verb agrees with the number: "manca 1 minuto", "mancano 2 minuti".
  formatTimeLeft: timeLeft(
    'ancora pochi secondi',
    unitsIn(tag, { one: 'manca circa #', other: 'mancano circa #' }),
  ),
  started: (fileName) => `Caricamento di ${fileName}`,
  milestone: (fileName, p) => `${fileName}: ${pct(p)}`,
  completed: (fileName) => `${fileName} caricato`,
  failed: (fileName, reason) => `Caricamento di ${fileName} non riuscito: ${reason}`,
  rejectType: (fileName) => `${fileName} non è un tipo di file accettato`,
  rejectSize: (fileName, maxSize) => `${fileName} supera ${maxSize}`,
  rejectCount: (fileName) => `${fileName} non è stato aggiunto: troppi file`,
  stillUploading: 'Ci sono ancora caricamenti in corso',
  uploadFailed: 'Un caricamento non è riuscito: riprova o rimuovilo',
  required: 'Aggiungi un file',
});
