import { defineLocale, percent, plural, sizes, timeLeft, type PluralForms } from './intl.js';

const tag = 'ar';
const pct = percent(tag);
/** One noun in its six forms: one and two spelled as words, 3-10 take the plural, 11 and up the singular. */
const counted = (prefix: string, one: string, two: string, few: string, single: string): PluralForms => ({
  zero: `${prefix} # ${single}`,
  one: `${prefix} ${one}`,
  two: `${prefix} ${two}`,
  few: `${prefix} # ${few}`,
  many: `${prefix} # ${single}`,
  other: `${prefix} # ${single}`,
});
const left = 'بقي حوالي';

/** Arabic, right to left: pages set `dir="rtl"` with `lang="ar"`, and the element mirrors. */
export const ar = defineLocale(tag, {
  drop: 'أفلت الملفات هنا أو انقر للاختيار',
  pause: 'إيقاف مؤقت',
  resume: 'استئناف',
  retry: 'إعادة المحاولة',
  cancel: 'إلغاء',
  remove: 'إزالة',
  fileAction: (action, fileName) => `${action} ${fileName}`,
  queued: 'في قائمة الانتظار',
  checking: 'جارٍ الاتصال',
  paused: 'متوقف مؤقتًا',
  done: 'اكتمل',
  waitingForNetwork: 'في انتظار الشبكة',
  uploadingElsewhere: 'يُرفع في علامة تبويب أخرى',
  needsPermission: 'توقف: استأنف للمتابعة',
  needsFile: 'توقف: اختر الملف مرة أخرى للمتابعة',
  retryingIn: plural(tag, counted('إعادة المحاولة بعد', 'ثانية واحدة', 'ثانيتين', 'ثوانٍ', 'ثانية')),
  progress: (uploaded, total, time) => `${uploaded} من ${total}${time ? `، ${time}` : ''}`,
  formatSize: sizes(tag),
  formatTimeLeft: timeLeft('بقيت بضع ثوانٍ', {
    second: plural(tag, counted(left, 'ثانية واحدة', 'ثانيتين', 'ثوانٍ', 'ثانية')),
    minute: plural(tag, counted(left, 'دقيقة واحدة', 'دقيقتين', 'دقائق', 'دقيقة')),
    hour: plural(tag, counted(left, 'ساعة واحدة', 'ساعتين', 'ساعات', 'ساعة')),
  }),
  started: (fileName) => `جارٍ رفع ${fileName}`,
  milestone: (fileName, p) => `${fileName}: ${pct(p)}`,
  completed: (fileName) => `تم رفع ${fileName}`,
  failed: (fileName, reason) => `تعذّر رفع ${fileName}: ${reason}`,
  rejectType: (fileName) => `نوع الملف ${fileName} غير مقبول`,
  rejectSize: (fileName, maxSize) => `حجم ${fileName} أكبر من ${maxSize}`,
  rejectCount: (fileName) => `لم تتم إضافة ${fileName}: عدد الملفات كبير جدًا`,
  stillUploading: 'لا يزال رفع الملفات جاريًا',
  uploadFailed: 'تعذّر رفع أحد الملفات: أعد المحاولة أو أزِله',
  required: 'يُرجى إضافة ملف',
});
