import { defineLocale, percent, plural, sizes, timeLeft } from './intl.js';

const tag = 'ja';
const pct = percent(tag);

/** Japanese: no plural forms; numbers still go through Intl. */
export const ja = defineLocale(tag, {
  drop: 'ここにファイルをドロップするか、クリックして選択',
  pause: '一時停止',
  resume: '再開',
  retry: '再試行',
  cancel: 'キャンセル',
  remove: '削除',
  fileAction: (action, fileName) => `${fileName}を${action}`,
  queued: '待機中',
  checking: '接続中',
  paused: '一時停止中',
  done: '完了',
  waitingForNetwork: 'ネットワークを待っています',
  uploadingElsewhere: '別のタブでアップロード中',
  needsPermission: '中断されました：再開して続行してください',
  needsFile: '中断されました：続行するにはファイルをもう一度選択してください',
  retryingIn: plural(tag, { other: '#秒後に再試行' }),
  progress: (uploaded, total, left) => `${uploaded} / ${total}${left ? `、${left}` : ''}`,
  formatSize: sizes(tag),
  formatTimeLeft: timeLeft('残り数秒', {
    second: plural(tag, { other: '残り約#秒' }),
    minute: plural(tag, { other: '残り約#分' }),
    hour: plural(tag, { other: '残り約#時間' }),
  }),
  started: (fileName) => `${fileName}をアップロード中`,
  milestone: (fileName, p) => `${fileName}：${pct(p)}`,
  completed: (fileName) => `${fileName}をアップロードしました`,
  failed: (fileName, reason) => `${fileName}のアップロードに失敗しました：${reason}`,
  rejectType: (fileName) => `${fileName}は受け付けられないファイル形式です`,
  rejectSize: (fileName, maxSize) => `${fileName}は${maxSize}を超えています`,
  rejectCount: (fileName) => `${fileName}は追加されませんでした：ファイルが多すぎます`,
  stillUploading: 'アップロードがまだ完了していません',
  uploadFailed: 'アップロードに失敗しました。再試行するか削除してください',
  required: 'ファイルを追加してください',
});
