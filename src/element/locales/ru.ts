import { defineLocale, percent, plural, sizes, timeLeft } from './intl.js';

const tag = 'ru';
const pct = percent(tag);
const about = (one: string, many: string) =>
  plural(tag, {
    one: `осталось около # ${one}`,
    few: `осталось около # ${many}`,
    many: `осталось около # ${many}`,
    other: `осталось около # ${one}`,
  });

/** Russian: "около" takes the genitive, singular after 1, 21… and fractions ("1 минуты"), plural otherwise ("2 минут"). */
export const ru = defineLocale(tag, {
  drop: 'Перетащите файлы сюда или нажмите, чтобы выбрать',
  pause: 'Приостановить',
  resume: 'Продолжить',
  retry: 'Повторить',
  cancel: 'Отменить',
  remove: 'Удалить',
  fileAction: (action, fileName) => `${action} ${fileName}`,
  queued: 'В очереди',
  checking: 'Подключение',
  paused: 'Приостановлено',
  done: 'Готово',
  waitingForNetwork: 'Ожидание сети',
  uploadingElsewhere: 'Загружается в другой вкладке',
  needsPermission: 'Прервано: возобновите, чтобы продолжить',
  needsFile: 'Прервано: выберите файл снова, чтобы продолжить',
  retryingIn: plural(tag, {
    one: 'Повтор через # секунду',
    few: 'Повтор через # секунды',
    many: 'Повтор через # секунд',
    other: 'Повтор через # секунды',
  }),
  progress: (uploaded, total, left) => `${uploaded} из ${total}${left ? `, ${left}` : ''}`,
  formatSize: sizes(tag),
  formatTimeLeft: timeLeft('осталось несколько секунд', {
    second: about('секунды', 'секунд'),
    minute: about('минуты', 'минут'),
    hour: about('часа', 'часов'),
  }),
  started: (fileName) => `Загрузка ${fileName}`,
  milestone: (fileName, p) => `${fileName}: ${pct(p)}`,
  completed: (fileName) => `Файл ${fileName} загружен`,
  failed: (fileName, reason) => `Не удалось загрузить ${fileName}: ${reason}`,
  rejectType: (fileName) => `Недопустимый тип файла: ${fileName}`,
  rejectSize: (fileName, maxSize) => `Файл ${fileName} больше ${maxSize}`,
  rejectCount: (fileName) => `Файл ${fileName} не добавлен: слишком много файлов`,
  stillUploading: 'Файлы ещё загружаются',
  uploadFailed: 'Загрузка не удалась: повторите или удалите файл',
  required: 'Добавьте файл',
});
