import { defineLocale, percent, sizes, timeLeft, unit, unitsIn } from './intl.js';

const tag = 'tr';
const pct = percent(tag);
const secs = unit(tag, 'second', 'short');

/** Turkish: a noun after a number stays singular, so Intl's units need no plural forms here. */
export const tr = defineLocale(tag, {
  drop: 'Dosyaları buraya bırakın veya seçmek için tıklayın',
  pause: 'Duraklat',
  resume: 'Sürdür',
  retry: 'Yeniden dene',
  cancel: 'İptal',
  remove: 'Kaldır',
  fileAction: (action, fileName) => `${action}: ${fileName}`,
  queued: 'Sırada',
  checking: 'Bağlanıyor',
  paused: 'Duraklatıldı',
  done: 'Tamamlandı',
  waitingForNetwork: 'Ağ bekleniyor',
  uploadingElsewhere: 'Başka bir sekmede yükleniyor',
  needsPermission: 'Kesintiye uğradı: devam etmek için sürdürün',
  needsFile: 'Kesintiye uğradı: devam etmek için dosyayı yeniden seçin',
  retryingIn: (seconds) => `${secs(seconds)} sonra yeniden denenecek`,
  progress: (uploaded, total, left) => `${uploaded} / ${total}${left ? `, ${left}` : ''}`,
  formatSize: sizes(tag),
  formatTimeLeft: timeLeft('birkaç saniye kaldı', unitsIn(tag, 'yaklaşık # kaldı')),
  started: (fileName) => `${fileName} yükleniyor`,
  milestone: (fileName, p) => `${fileName}: ${pct(p)}`,
  completed: (fileName) => `${fileName} yüklendi`,
  failed: (fileName, reason) => `${fileName} yüklenemedi: ${reason}`,
  rejectType: (fileName) => `${fileName}: kabul edilmeyen dosya türü`,
  rejectSize: (fileName, maxSize) => `${fileName}, ${maxSize} sınırını aşıyor`,
  rejectCount: (fileName) => `${fileName} eklenmedi: çok fazla dosya`,
  stillUploading: 'Yüklemeler hâlâ sürüyor',
  uploadFailed: 'Bir yükleme başarısız oldu: yeniden deneyin veya kaldırın',
  required: 'Lütfen bir dosya ekleyin',
});
