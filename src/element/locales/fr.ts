import { defineLocale, percent, sizes, timeLeft, unit, unitsIn } from './intl.js';

const tag = 'fr';
const pct = percent(tag);
const secs = unit(tag, 'second', 'short');

/** French. A space goes before ":" (a no-break one, as French typography wants). */
export const fr = defineLocale(tag, {
  drop: 'Déposez des fichiers ici ou cliquez pour les choisir',
  pause: 'Suspendre',
  resume: 'Reprendre',
  retry: 'Réessayer',
  cancel: 'Annuler',
  remove: 'Retirer',
  fileAction: (action, fileName) => `${action} ${fileName}`,
  queued: 'En attente',
  checking: 'Connexion en cours',
  paused: 'En pause',
  done: 'Terminé',
  waitingForNetwork: 'En attente du réseau',
  uploadingElsewhere: 'Envoi en cours dans un autre onglet',
  needsPermission: 'Interrompu : reprenez pour continuer',
  needsFile: 'Interrompu : choisissez à nouveau le fichier pour continuer',
  retryingIn: (seconds) => `Nouvel essai dans ${secs(seconds)}`,
  progress: (uploaded, total, left) => `${uploaded} sur ${total}${left ? `, ${left}` : ''}`,
  formatSize: sizes(tag),
  formatTimeLeft: timeLeft('encore quelques secondes', unitsIn(tag, 'encore environ #')),
  started: (fileName) => `Envoi de ${fileName}`,
  milestone: (fileName, p) => `${fileName}\u00a0: ${pct(p)}`,
  completed: (fileName) => `${fileName} envoyé`,
  failed: (fileName, reason) => `Échec de l’envoi de ${fileName}\u00a0: ${reason}`,
  rejectType: (fileName) => `${fileName} n’est pas d’un type de fichier accepté`,
  rejectSize: (fileName, maxSize) => `${fileName} dépasse ${maxSize}`,
  rejectCount: (fileName) => `${fileName} n’a pas été ajouté\u00a0: trop de fichiers`,
  stillUploading: 'Des envois sont encore en cours',
  uploadFailed: 'Un envoi a échoué\u00a0: réessayez ou retirez-le',
  required: 'Veuillez ajouter un fichier',
});
