import { defineLocale, percent, plural, sizes, timeLeft } from './intl.js';

const tag = 'uk';
const pct = percent(tag);
const about = (one: string, many: string) =>
  plural(tag, {
    one: `залишилося близько # ${one}`,
    few: `залишилося близько # ${many}`,
    many: `залишилося близько # ${many}`,
    other: `залишилося близько # ${one}`,
  });

/** Ukrainian: "близько" takes the genitive, singular after 1, 21… and fractions ("1 хвилини"), plural otherwise ("2 хвилин"). */
export const uk = defineLocale(tag, {
  drop: 'Перетягніть файли сюди або натисніть, щоб вибрати',
  pause: 'Призупинити',
  resume: 'Продовжити',
  retry: 'Повторити',
  cancel: 'Скасувати',
  remove: 'Видалити',
  fileAction: (action, fileName) => `${action} ${fileName}`,
  queued: 'У черзі',
  checking: 'Підключення',
  paused: 'Призупинено',
  done: 'Готово',
  waitingForNetwork: 'Очікування мережі',
  uploadingElsewhere: 'Завантажується в іншій вкладці',
  needsPermission: 'Перервано: відновіть, щоб продовжити',
  needsFile: 'Перервано: виберіть файл знову, щоб продовжити',
  retryingIn: plural(tag, {
    one: 'Повтор через # секунду',
    few: 'Повтор через # секунди',
    many: 'Повтор через # секунд',
    other: 'Повтор через # секунди',
  }),
  progress: (uploaded, total, left) => `${uploaded} з ${total}${left ? `, ${left}` : ''}`,
  formatSize: sizes(tag),
  formatTimeLeft: timeLeft('залишилося кілька секунд', {
    second: about('секунди', 'секунд'),
    minute: about('хвилини', 'хвилин'),
    hour: about('години', 'годин'),
  }),
  started: (fileName) => `Завантаження ${fileName}`,
  milestone: (fileName, p) => `${fileName}: ${pct(p)}`,
  completed: (fileName) => `Файл ${fileName} завантажено`,
  failed: (fileName, reason) => `Не вдалося завантажити ${fileName}: ${reason}`,
  rejectType: (fileName) => `Недопустимий тип файлу: ${fileName}`,
  rejectSize: (fileName, maxSize) => `Файл ${fileName} більший за ${maxSize}`,
  rejectCount: (fileName) => `Файл ${fileName} не додано: забагато файлів`,
  stillUploading: 'Файли ще завантажуються',
  uploadFailed: 'Завантаження не вдалося: повторіть або видаліть файл',
  required: 'Додайте файл',
});
