import { defineLocale, percent, plural, sizes, timeLeft } from './intl.js';

const tag = 'ko';
const pct = percent(tag);

/** Korean: no plural forms; numbers still go through Intl. */
export const ko = defineLocale(tag, {
  drop: '여기에 파일을 놓거나 클릭하여 선택하세요',
  pause: '일시정지',
  resume: '재개',
  retry: '다시 시도',
  cancel: '취소',
  remove: '삭제',
  fileAction: (action, fileName) => `${fileName} ${action}`,
  queued: '대기 중',
  checking: '연결 중',
  paused: '일시정지됨',
  done: '완료',
  waitingForNetwork: '네트워크 연결 대기 중',
  uploadingElsewhere: '다른 탭에서 업로드 중',
  needsPermission: '중단됨: 계속하려면 재개하세요',
  needsFile: '중단됨: 계속하려면 파일을 다시 선택하세요',
  retryingIn: plural(tag, { other: '#초 후 다시 시도' }),
  progress: (uploaded, total, left) => `${uploaded} / ${total}${left ? `, ${left}` : ''}`,
  formatSize: sizes(tag),
  formatTimeLeft: timeLeft('몇 초 남음', {
    second: plural(tag, { other: '약 #초 남음' }),
    minute: plural(tag, { other: '약 #분 남음' }),
    hour: plural(tag, { other: '약 #시간 남음' }),
  }),
  started: (fileName) => `${fileName} 업로드 중`,
  milestone: (fileName, p) => `${fileName}: ${pct(p)}`,
  completed: (fileName) => `${fileName} 업로드 완료`,
  failed: (fileName, reason) => `${fileName} 업로드 실패: ${reason}`,
  rejectType: (fileName) => `${fileName}: 허용되지 않는 파일 형식입니다`,
  rejectSize: (fileName, maxSize) => `${fileName}: ${maxSize}보다 큽니다`,
  rejectCount: (fileName) => `${fileName}: 파일이 너무 많아 추가하지 않았습니다`,
  stillUploading: '아직 업로드 중인 파일이 있습니다',
  uploadFailed: '업로드에 실패했습니다. 다시 시도하거나 삭제하세요',
  required: '파일을 추가하세요',
});
