import { defineLocale, percent, plural, sizes, timeLeft } from './intl.js';

const tag = 'he';
const pct = percent(tag);

/** Hebrew, right to left: pages set `dir="rtl"` with `lang="he"`, and the element mirrors. */
export const he = defineLocale(tag, {
  drop: 'אפשר לגרור קבצים לכאן או ללחוץ כדי לבחור',
  pause: 'השהיה',
  resume: 'המשך',
  retry: 'ניסיון חוזר',
  cancel: 'ביטול',
  remove: 'הסרה',
  fileAction: (action, fileName) => `${action}: ${fileName}`,
  queued: 'בתור',
  checking: 'מתחבר',
  paused: 'מושהה',
  done: 'הסתיים',
  waitingForNetwork: 'ממתין לרשת',
  uploadingElsewhere: 'מועלה בכרטיסייה אחרת',
  needsPermission: 'הופסק: יש להמשיך כדי להשלים',
  needsFile: 'הופסק: יש לבחור את הקובץ שוב כדי להמשיך',
  retryingIn: plural(tag, {
    one: 'ניסיון חוזר בעוד שנייה',
    two: 'ניסיון חוזר בעוד שתי שניות',
    other: 'ניסיון חוזר בעוד # שניות',
  }),
  progress: (uploaded, total, left) => `${uploaded} מתוך ${total}${left ? `, ${left}` : ''}`,
  formatSize: sizes(tag),
  formatTimeLeft: timeLeft('נותרו שניות ספורות', {
    second: plural(tag, {
      one: 'נותרה בערך שנייה אחת',
      two: 'נותרו בערך שתי שניות',
      other: 'נותרו בערך # שניות',
    }),
    minute: plural(tag, {
      one: 'נותרה בערך דקה אחת',
      two: 'נותרו בערך שתי דקות',
      other: 'נותרו בערך # דקות',
    }),
    hour: plural(tag, { one: 'נותרה בערך שעה אחת', two: 'נותרו בערך שעתיים', other: 'נותרו בערך # שעות' }),
  }),
  started: (fileName) => `מעלה את ${fileName}`,
  milestone: (fileName, p) => `${fileName}: ${pct(p)}`,
  completed: (fileName) => `${fileName} הועלה`,
  failed: (fileName, reason) => `העלאת ${fileName} נכשלה: ${reason}`,
  rejectType: (fileName) => `סוג הקובץ של ${fileName} אינו מותר`,
  rejectSize: (fileName, maxSize) => `${fileName} גדול מ־${maxSize}`,
  rejectCount: (fileName) => `${fileName} לא נוסף: יותר מדי קבצים`,
  stillUploading: 'עדיין מתבצעות העלאות',
  uploadFailed: 'העלאה נכשלה: יש לנסות שוב או להסיר אותה',
  required: 'יש להוסיף קובץ',
});
