import { defineLocale, percent, sizes, timeLeft, unit, unitsIn } from './intl.js';

const tag = 'nl';
const pct = percent(tag);
const secs = unit(tag, 'second', 'short');

/** Dutch. */
export const nl = defineLocale(tag, {
  drop: 'Sleep bestanden hierheen of klik om ze te kiezen',
  pause: 'Pauzeren',
  resume: 'Hervatten',
  retry: 'Opnieuw proberen',
  cancel: 'Annuleren',
  remove: 'Verwijderen',
  fileAction: (action, fileName) => `${fileName} ${action.toLocaleLowerCase(tag)}`,
  queued: 'In de wachtrij',
  checking: 'Verbinden',
  paused: 'Gepauzeerd',
  done: 'Klaar',
  waitingForNetwork: 'Wachten op netwerk',
  uploadingElsewhere: 'Wordt in een ander tabblad geüpload',
  needsPermission: 'Onderbroken: hervat om verder te gaan',
  needsFile: 'Onderbroken: kies het bestand opnieuw om verder te gaan',
  retryingIn: (seconds) => `Nieuwe poging over ${secs(seconds)}`,
  progress: (uploaded, total, left) => `${uploaded} van ${total}${left ? `, ${left}` : ''}`,
  formatSize: sizes(tag),
  formatTimeLeft: timeLeft('nog enkele seconden', unitsIn(tag, 'nog ongeveer #')),
  started: (fileName) => `${fileName} wordt geüpload`,
  milestone: (fileName, p) => `${fileName}: ${pct(p)}`,
  completed: (fileName) => `${fileName} geüpload`,
  failed: (fileName, reason) => `${fileName} mislukt: ${reason}`,
  rejectType: (fileName) => `${fileName} is geen toegestaan bestandstype`,
  rejectSize: (fileName, maxSize) => `${fileName} is groter dan ${maxSize}`,
  rejectCount: (fileName) => `${fileName} is niet toegevoegd: te veel bestanden`,
  stillUploading: 'Er worden nog bestanden geüpload',
  uploadFailed: 'Een upload is mislukt: probeer het opnieuw of verwijder het bestand',
  required: 'Voeg een bestand toe',
});
