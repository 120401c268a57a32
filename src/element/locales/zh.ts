import { defineLocale, percent, plural, sizes, timeLeft } from './intl.js';

const tag = 'zh';
const pct = percent(tag);

/** Chinese, Simplified (CLDR's `zh`); `zh-TW` and `zh-HK` pages get it too, as their base language. */
export const zh = defineLocale(tag, {
  drop: '将文件拖放到此处，或点击选择',
  pause: '暂停',
  resume: '继续',
  retry: '重试',
  cancel: '取消',
  remove: '移除',
  fileAction: (action, fileName) => `${action} ${fileName}`,
  queued: '排队中',
  checking: '正在连接',
  paused: '已暂停',
  done: '已完成',
  waitingForNetwork: '正在等待网络',
  uploadingElsewhere: '正在另一个标签页中上传',
  needsPermission: '已中断：点击“继续”以接着上传',
  needsFile: '已中断：请重新选择文件以继续',
  retryingIn: plural(tag, { other: '#秒后重试' }),
  progress: (uploaded, total, left) => `${uploaded} / ${total}${left ? `，${left}` : ''}`,
  formatSize: sizes(tag),
  formatTimeLeft: timeLeft('还剩几秒', {
    second: plural(tag, { other: '剩余约#秒' }),
    minute: plural(tag, { other: '剩余约#分钟' }),
    hour: plural(tag, { other: '剩余约#小时' }),
  }),
  started: (fileName) => `正在上传 ${fileName}`,
  milestone: (fileName, p) => `${fileName}：${pct(p)}`,
  completed: (fileName) => `${fileName} 上传完成`,
  failed: (fileName, reason) => `${fileName} 上传失败：${reason}`,
  rejectType: (fileName) => `${fileName} 的文件类型不受支持`,
  rejectSize: (fileName, maxSize) => `${fileName} 超过了 ${maxSize}`,
  rejectCount: (fileName) => `未添加 ${fileName}：文件过多`,
  stillUploading: '仍有文件正在上传',
  uploadFailed: '有文件上传失败：请重试或移除',
  required: '请添加文件',
});
