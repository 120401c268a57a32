import { defineLocale, percent, sizes, timeLeft, unit, unitsIn } from './intl.js';

const tag = 'pt';
const pct = percent(tag);
const secs = unit(tag, 'second', 'short');

/** Portuguese, as written in Brazil (CLDR's `pt`); `pt-PT` pages get it too, as their base language. */
export const pt = defineLocale(tag, {
  drop: 'Solte os arquivos aqui ou clique para escolher',
  pause: 'Pausar',
  resume: 'Retomar',
  retry: 'Tentar novamente',
  cancel: 'Cancelar',
  remove: 'Remover',
  fileAction: (action, fileName) => `${action} ${fileName}`,
  queued: 'Na fila',
  checking: 'Conectando',
  paused: 'Pausado',
  done: 'Concluído',
  waitingForNetwork: 'Aguardando a rede',
  uploadingElsewhere: 'Enviando em outra aba',
  needsPermission: 'Interrompido: retome para continuar',
  needsFile: 'Interrompido: escolha o arquivo novamente para continuar',
  retryingIn: (seconds) => `Nova tentativa em ${secs(seconds)}`,
  progress: (uploaded, total, left) => `${uploaded} de ${total}${left ? `, ${left}` : ''}`,
  formatSize: sizes(tag),
  // The verb agrees with the number: "falta 1 minuto", "faltam 2 minutos".
  formatTimeLeft: timeLeft(
    'faltam alguns segundos',
    unitsIn(tag, { one: 'falta cerca de #', other: 'faltam cerca de #' }),
  ),
  started: (fileName) => `Enviando ${fileName}`,
  milestone: (fileName, p) => `${fileName}: ${pct(p)}`,
  completed: (fileName) => `${fileName} enviado`,
  failed: (fileName, reason) => `Falha ao enviar ${fileName}: ${reason}`,
  rejectType: (fileName) => `${fileName} não é um tipo de arquivo aceito`,
  rejectSize: (fileName, maxSize) => `${fileName} é maior que ${maxSize}`,
  rejectCount: (fileName) => `${fileName} não foi adicionado: arquivos demais`,
  stillUploading: 'Ainda há envios em andamento',
  uploadFailed: 'Um envio falhou: tente novamente ou remova-o',
  required: 'Adicione um arquivo',
});
