// Every visible string goes through t(): zh-CN by default, English by the switch in the header. Each page module adds its own
// strings with addStrings({ zh: {...}, en: {...} }); a key missing in the current language shows as ⟦key⟧ and is reported on
// the console (the browser tests fail on console errors), so that no untranslated text slips through.

const strings = { zh: {}, en: {} };
const listeners = new Set();
const stored = localStorage.getItem('govshare.lang');
let current = stored === 'en' || stored === 'zh' ? stored : 'zh';

export const languages = ['zh', 'en'];

/** The current language: 'zh' or 'en'. */
export function lang() {
  return current;
}

/** The BCP 47 locale of the current language, for Intl formatting. */
export function locale() {
  return current === 'zh' ? 'zh-CN' : 'en-GB';
}

/** Switches the language, remembers it, and tells the listeners (the shell re-renders the page). */
export function setLang(value) {
  if (!languages.includes(value) || value === current) return;
  current = value;
  localStorage.setItem('govshare.lang', value);
  document.documentElement.lang = locale();
  for (const listener of listeners) listener(value);
}

/** Calls back on every language switch. */
export function onLangChange(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Adds a module's strings: { zh: { key: text }, en: { key: text } }. Both languages must hold the same keys. */
export function addStrings(table) {
  for (const language of languages) {
    Object.assign(strings[language], table[language] ?? {});
  }
  const zh = Object.keys(table.zh ?? {});
  const en = new Set(Object.keys(table.en ?? {}));
  for (const key of zh) if (!en.has(key)) console.error(`i18n: '${key}' has no English text`);
  for (const key of en) if (!(table.zh ?? {})[key]) console.error(`i18n: '${key}' has no Chinese text`);
}

/** The text of a key in the current language, with {name} placeholders filled from params. */
export function t(key, params) {
  let text = strings[current][key];
  if (text === undefined) {
    console.error(`i18n: missing '${key}' (${current})`);
    return `⟦${key}⟧`;
  }
  if (params) {
    text = text.replace(/\{(\w+)\}/g, (whole, name) => (params[name] ?? whole).toString());
  }
  return text;
}

/** Whether a key exists (for optional texts such as a server code's translation). */
export function has(key) {
  return strings[current][key] !== undefined;
}

/** A number in the locale's format. */
export function fmtNumber(value, options) {
  if (value === null || value === undefined || value === '') return '—';
  return new Intl.NumberFormat(locale(), options).format(Number(value));
}

/** A share (0–1) as a percentage. */
export function fmtPercent(value, digits = 1) {
  if (value === null || value === undefined) return '—';
  return new Intl.NumberFormat(locale(), { style: 'percent', minimumFractionDigits: digits, maximumFractionDigits: digits }).format(Number(value));
}

/** A date (ISO string or Date) in the locale's format, in China's time zone. */
export function fmtDate(value) {
  if (!value) return '—';
  return new Intl.DateTimeFormat(locale(), { year: 'numeric', month: '2-digit', day: '2-digit', timeZone: 'Asia/Shanghai' }).format(new Date(value));
}

/** A date and time (to the minute) in the locale's format, in China's time zone. */
export function fmtDateTime(value) {
  if (!value) return '—';
  return new Intl.DateTimeFormat(locale(), {
    year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: 'Asia/Shanghai',
  }).format(new Date(value));
}

/** The name in the current language of a { zh, en } pair (or { nameZh, nameEn }). */
export function localName(pair) {
  if (!pair) return '—';
  if (typeof pair === 'string') return pair;
  return current === 'zh' ? pair.zh ?? pair.nameZh ?? pair.en ?? pair.nameEn : pair.en ?? pair.nameEn ?? pair.zh ?? pair.nameZh;
}

document.documentElement.lang = locale();
