import { defineLocale, percent, sizes, timeLeft, unit, unitsIn } from './intl.js';

const tag = 'de';
const pct = percent(tag);
const secs = unit(tag, 'second', 'short');

/** German. */
export const de = defineLocale(tag, {
  drop: 'Dateien hier ablegen oder zum Auswählen klicken',
  pause: 'Pausieren',
  resume: 'Fortsetzen',
  retry: 'Wiederholen',
  cancel: 'Abbrechen',
  remove: 'Entfernen',
  fileAction: (action, fileName) => `${fileName} ${action.toLocaleLowerCase(tag)}`,
  queued: 'Wartet',
  checking: 'Verbindung wird hergestellt',
  paused: 'Pausiert',
  done: 'Fertig',
  waitingForNetwork: 'Warten auf Netzwerk',
  uploadingElsewhere: 'Wird in einem anderen Tab hochgeladen',
  needsPermission: 'Unterbrochen: zum Weitermachen fortsetzen',
  needsFile: 'Unterbrochen: Datei erneut auswählen, um weiterzumachen',
  retryingIn: (seconds) => `Neuer Versuch in ${secs(seconds)}`,
  progress: (uploaded, total, left) => `${uploaded} von ${total}${left ? `, ${left}` : ''}`,
  formatSize: sizes(tag),
  formatTimeLeft: timeLeft('noch wenige Sekunden', unitsIn(tag, 'noch etwa #')),
  started: (fileName) => `${fileName} wird hochgeladen`,
  milestone: (fileName, p) => `${fileName}: ${pct(p)}`,
  completed: (fileName) => `${fileName} hochgeladen`,
  failed: (fileName, reason) => `${fileName} fehlgeschlagen: ${reason}`,
  rejectType: (fileName) => `${fileName} hat keinen zulässigen Dateityp`,
  rejectSize: (fileName, maxSize) => `${fileName} ist größer als ${maxSize}`,
  rejectCount: (fileName) => `${fileName} wurde nicht hinzugefügt: zu viele Dateien`,
  stillUploading: 'Es laufen noch Uploads',
  uploadFailed: 'Ein Upload ist fehlgeschlagen: erneut versuchen oder entfernen',
  required: 'Bitte eine Datei hinzufügen',
});
