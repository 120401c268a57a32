import { defineLocale, percent, plural, sizes, timeLeft } from './intl.js';

const tag = 'pl';
const pct = percent(tag);
const about = (one: string, many: string) =>
  plural(tag, {
    one: `zostało około # ${one}`,
    few: `zostało około # ${many}`,
    many: `zostało około # ${many}`,
    other: `zostało około # ${one}`,
  });

/** Polish: "około" takes the genitive, singular after 1 and fractions ("1 minuty"), plural otherwise ("2 minut"). */
export const pl = defineLocale(tag, {
  drop: 'Upuść pliki tutaj lub kliknij, aby je wybrać',
  pause: 'Wstrzymaj',
  resume: 'Wznów',
  retry: 'Ponów',
  cancel: 'Anuluj',
  remove: 'Usuń',
  fileAction: (action, fileName) => `${action} ${fileName}`,
  queued: 'W kolejce',
  checking: 'Łączenie',
  paused: 'Wstrzymano',
  done: 'Gotowe',
  waitingForNetwork: 'Oczekiwanie na sieć',
  uploadingElsewhere: 'Przesyłanie w innej karcie',
  needsPermission: 'Przerwano: wznów, aby kontynuować',
  needsFile: 'Przerwano: wybierz plik ponownie, aby kontynuować',
  retryingIn: plural(tag, {
    one: 'Ponowna próba za # sekundę',
    few: 'Ponowna próba za # sekundy',
    many: 'Ponowna próba za # sekund',
    other: 'Ponowna próba za # sekundy',
  }),
  progress: (uploaded, total, left) => `${uploaded} z ${total}${left ? `, ${left}` : ''}`,
  formatSize: sizes(tag),
  formatTimeLeft: timeLeft('zostało kilka sekund', {
    second: about('sekundy', 'sekund'),
    minute: about('minuty', 'minut'),
    hour: about('godziny', 'godzin'),
  }),
  started: (fileName) => `Wysyłanie ${fileName}`,
  milestone: (fileName, p) => `${fileName}: ${pct(p)}`,
  completed: (fileName) => `Wysłano ${fileName}`,
  failed: (fileName, reason) => `Nie udało się wysłać ${fileName}: ${reason}`,
  rejectType: (fileName) => `${fileName}: niedozwolony typ pliku`,
  rejectSize: (fileName, maxSize) => `${fileName}: plik jest większy niż ${maxSize}`,
  rejectCount: (fileName) => `Nie dodano ${fileName}: za dużo plików`,
  stillUploading: 'Wysyłanie plików wciąż trwa',
  uploadFailed: 'Wysyłanie nie powiodło się: ponów lub usuń plik',
  required: 'Dodaj plik',
});
