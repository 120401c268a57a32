// The shipped translations: every string of ResumableUploadI18n, real words, numbers and plurals through Intl.
import { expect } from '@open-wc/testing';
import { defaultI18n, type ResumableUploadI18n } from '../../src/element/i18n.js';
import { ar } from '../../src/element/locales/ar.js';
import { de } from '../../src/element/locales/de.js';
import { es } from '../../src/element/locales/es.js';
import { fr } from '../../src/element/locales/fr.js';
import { he } from '../../src/element/locales/he.js';
import { it as itLocale } from '../../src/element/locales/it.js';
import { ja } from '../../src/element/locales/ja.js';
import { ko } from '../../src/element/locales/ko.js';
import { nl } from '../../src/element/locales/nl.js';
import { pl } from '../../src/element/locales/pl.js';
import { pt } from '../../src/element/locales/pt.js';
import { ru } from '../../src/element/locales/ru.js';
import { tr } from '../../src/element/locales/tr.js';
import { uk } from '../../src/element/locales/uk.js';
import { zh } from '../../src/element/locales/zh.js';
import { locales } from '../../src/element/locales/index.js';

const shipped: Record<string, ResumableUploadI18n> = {
  ar,
  de,
  es,
  fr,
  he,
  it: itLocale,
  ja,
  ko,
  nl,
  pl,
  pt,
  ru,
  tr,
  uk,
  zh,
};

const NBSP = '\u00a0';
const NNBSP = '\u202f';
/** Arabic digits are the engine's choice (WebKit's ICU writes ٣, Chromium's and Firefox's 3): ask Intl. */
const arabic = (n: number) => new Intl.NumberFormat('ar').format(n);

/** Every function of a locale called as the element calls it, with English's output beside it. */
function calls(t: ResumableUploadI18n): [string, string, string][] {
  const e = defaultI18n;
  const f = 'report.pdf';
  return [
    ['fileAction', t.fileAction(t.pause, f), e.fileAction(e.pause, f)],
    ['retryingIn', t.retryingIn(3), e.retryingIn(3)],
    ['progress', t.progress('1', '2', 'x'), e.progress('1', '2', 'x')],
    ['formatTimeLeft', t.formatTimeLeft(120), e.formatTimeLeft(120)],
    ['formatTimeLeft few', t.formatTimeLeft(2), e.formatTimeLeft(2)],
    ['started', t.started(f), e.started(f)],
    ['completed', t.completed(f), e.completed(f)],
    ['failed', t.failed(f, 'Disk full'), e.failed(f, 'Disk full')],
    ['rejectType', t.rejectType(f), e.rejectType(f)],
    ['rejectSize', t.rejectSize(f, '10 MB'), e.rejectSize(f, '10 MB')],
    ['rejectCount', t.rejectCount(f), e.rejectCount(f)],
  ];
}

describe('shipped locales', () => {
  it('ship at least 12 languages, a right-to-left one and a CJK one among them, each in its own module', () => {
    expect(locales).to.have.length.of.at.least(12);
    expect(locales).to.include.members(['ar', 'he', 'ja', 'zh']);
    expect(Object.keys(shipped).sort()).to.deep.equal([...locales].sort());
  });

  for (const [tag, t] of Object.entries(shipped)) {
    it(`${tag}: translates every string and function of ResumableUploadI18n`, () => {
      expect(Object.keys(t).sort()).to.deep.equal(Object.keys(defaultI18n).sort());
      for (const [key, value] of Object.entries(t)) {
        const english = defaultI18n[key as keyof ResumableUploadI18n];
        if (typeof value === 'string') {
          expect(value, key).to.be.a('string').and.not.equal('');
          expect(value, key).not.to.equal(english);
        } else expect(typeof value, key).to.equal('function');
      }
      for (const [name, translated, english] of calls(t)) {
        expect(translated, name).not.to.equal(english);
        expect(translated, name).not.to.match(/#|undefined|NaN/);
      }
      // The name, the reason and the numbers given are all in what is said.
      expect(t.failed('report.pdf', 'Disk full')).to.include('report.pdf').and.include('Disk full');
      expect(t.rejectSize('report.pdf', '10 MB')).to.include('10 MB');
      expect(t.progress('3 MB', '10 MB', ''))
        .to.include('3 MB')
        .and.include('10 MB');
      expect(t.formatTimeLeft(Infinity)).to.equal('');
      expect(t.formatTimeLeft(-1)).to.equal('');
    });
  }

  it('formats sizes with Intl in each language, rounded as English rounds them', () => {
    expect(de.formatSize(512)).to.equal('512 Byte');
    expect(de.formatSize(3_200_000)).to.equal('3,2 MB');
    expect(de.formatSize(10_000_000)).to.equal('10 MB');
    expect(fr.formatSize(3_240_000)).to.equal(`3,2${NNBSP}Mo`);
    expect(fr.formatSize(1_500_000_000)).to.equal(`1,5${NNBSP}Go`);
    expect(ru.formatSize(999_600)).to.equal('1 МБ');
    expect(tr.formatSize(512)).to.equal('512 bayt');
    expect(ar.formatSize(512)).to.equal(
      new Intl.NumberFormat('ar', { style: 'unit', unit: 'byte', unitDisplay: 'short' }).format(512),
    );
    // English keeps its own words: "512 B", where Intl says "512 byte".
    expect(defaultI18n.formatSize(512)).to.equal('512 B');
  });

  it('formats percentages with Intl: "25 %", "%25", with the locale’s spacing and marks', () => {
    expect(de.milestone('a.pdf', 25)).to.equal(`a.pdf: 25${NBSP}%`);
    expect(fr.milestone('a.pdf', 50)).to.equal(`a.pdf${NBSP}: 50${NBSP}%`);
    expect(tr.milestone('a.pdf', 75)).to.equal('a.pdf: %75');
    expect(ar.milestone('a.pdf', 25)).to.equal(
      `a.pdf: ${new Intl.NumberFormat('ar', { style: 'percent' }).format(0.25)}`,
    );
    expect(ja.milestone('a.pdf', 25)).to.equal('a.pdf：25%');
  });

  it('Arabic picks each of its plural forms through Intl.PluralRules', () => {
    expect(ar.formatTimeLeft(3600)).to.equal('بقي حوالي ساعة واحدة'); // one
    expect(ar.formatTimeLeft(2 * 3600)).to.equal('بقي حوالي ساعتين'); // two
    expect(ar.formatTimeLeft(3 * 3600)).to.equal(`بقي حوالي ${arabic(3)} ساعات`); // few: 3-10
    expect(ar.formatTimeLeft(11 * 3600)).to.equal(`بقي حوالي ${arabic(11)} ساعة`); // many: 11-99
    expect(ar.formatTimeLeft(100 * 3600)).to.equal(`بقي حوالي ${arabic(100)} ساعة`); // other
    expect(ar.formatTimeLeft(120)).to.equal('بقي حوالي دقيقتين');
    expect(ar.formatTimeLeft(5)).to.equal(`بقي حوالي ${arabic(5)} ثوانٍ`);
    expect(ar.retryingIn(1)).to.equal('إعادة المحاولة بعد ثانية واحدة');
    expect(ar.retryingIn(2)).to.equal('إعادة المحاولة بعد ثانيتين');
    expect(ar.retryingIn(30)).to.equal(`إعادة المحاولة بعد ${arabic(30)} ثانية`);
  });

  it('Polish, Russian and Ukrainian pick one, few and many forms through Intl.PluralRules', () => {
    expect([1, 2, 5, 21, 22, 25].map((n) => ru.formatTimeLeft(n * 60))).to.deep.equal([
      'осталось около 1 минуты',
      'осталось около 2 минут',
      'осталось около 5 минут',
      'осталось около 21 минуты',
      'осталось около 22 минут',
      'осталось около 25 минут',
    ]);
    expect([1, 2, 5, 21].map((n) => ru.retryingIn(n))).to.deep.equal([
      'Повтор через 1 секунду',
      'Повтор через 2 секунды',
      'Повтор через 5 секунд',
      'Повтор через 21 секунду',
    ]);
    expect([1, 3, 5, 22].map((n) => pl.retryingIn(n))).to.deep.equal([
      'Ponowna próba za 1 sekundę',
      'Ponowna próba za 3 sekundy',
      'Ponowna próba za 5 sekund',
      'Ponowna próba za 22 sekundy',
    ]);
    // Polish 21 is "many", unlike Russian's "one".
    expect(pl.formatTimeLeft(21 * 60)).to.equal('zostało około 21 minut');
    expect(uk.formatTimeLeft(2 * 3600)).to.equal('залишилося близько 2 годин');
    expect(uk.formatTimeLeft(3600)).to.equal('залишилося близько 1 години');
  });

  it('Hebrew has a dual, Spanish, Portuguese and Italian verbs agree, German and Dutch take Intl’s units whole', () => {
    expect(he.formatTimeLeft(2 * 3600)).to.equal('נותרו בערך שעתיים');
    expect(he.formatTimeLeft(3 * 3600)).to.equal('נותרו בערך 3 שעות');
    expect(he.formatTimeLeft(3600)).to.equal('נותרה בערך שעה אחת');
    expect(es.formatTimeLeft(60)).to.equal('queda aproximadamente 1 minuto');
    expect(es.formatTimeLeft(120)).to.equal('quedan aproximadamente 2 minutos');
    expect(pt.formatTimeLeft(3600)).to.equal('falta cerca de 1 hora');
    expect(itLocale.formatTimeLeft(7200)).to.equal('mancano circa 2 ore');
    expect(de.formatTimeLeft(60)).to.equal('noch etwa 1 Minute');
    expect(de.formatTimeLeft(45)).to.equal('noch etwa 45 Sekunden');
    expect(nl.formatTimeLeft(7200)).to.equal('nog ongeveer 2 uur');
    expect(de.progress('3,2 MB', '10 MB', de.formatTimeLeft(120))).to.equal(
      '3,2 MB von 10 MB, noch etwa 2 Minuten',
    );
  });

  it('Japanese, Chinese and Korean count without plurals, in their own punctuation', () => {
    expect(ja.formatTimeLeft(120)).to.equal('残り約2分');
    expect(ja.progress('3.2 MB', '10 MB', '残り約2分')).to.equal('3.2 MB / 10 MB、残り約2分');
    expect(ja.fileAction(ja.resume, 'a.pdf')).to.equal('a.pdfを再開');
    expect(zh.formatTimeLeft(3 * 3600)).to.equal('剩余约3小时');
    expect(zh.retryingIn(5)).to.equal('5秒后重试');
    expect(ko.formatTimeLeft(30)).to.equal('약 30초 남음');
  });

  it('keeps English exactly as before', () => {
    expect(defaultI18n.formatTimeLeft(120)).to.equal('about 2 minutes left');
    expect(defaultI18n.formatTimeLeft(60)).to.equal('about 1 minute left');
    expect(defaultI18n.formatSize(3_200_000)).to.equal('3.2 MB');
    expect(defaultI18n.milestone('a.pdf', 25)).to.equal('a.pdf: 25%');
  });
});
