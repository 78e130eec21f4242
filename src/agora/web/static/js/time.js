// Agora: a time shown the way the pages show it — on the reader's own clock, the zone the server
// put in <body data-time-zone> (the user's setting, else the platform's), never the browser's own
// zone. So a chat message that arrives live reads the same as after a reload.
//
//   formatTime(iso)    → "18:30"        (as {{ t|time }})
//   formatDayTime(iso) → "12-07 18:30"  (as {{ t|datetime(year=False) }})

const formats = new Map();

function formatter(withDay) {
  const key = withDay ? "day" : "time";
  let format = formats.get(key);
  if (format) return format;
  const body = document.body.dataset;
  const locale = body.locale === "zh" ? "zh-CN" : "en";
  const options = { hour: "2-digit", minute: "2-digit", hourCycle: "h23" };
  if (withDay) Object.assign(options, { month: "2-digit", day: "2-digit" });
  try {
    format = new Intl.DateTimeFormat(locale, { ...options, timeZone: body.timeZone || "UTC" });
  } catch {
    format = new Intl.DateTimeFormat(locale, { ...options, timeZone: "UTC" }); // a zone this browser lacks
  }
  formats.set(key, format);
  return format;
}

// The pieces by name, joined as the server joins them: the locale's own punctuation would differ.
function pieces(iso, withDay) {
  const when = new Date(iso);
  if (Number.isNaN(when.getTime())) return null;
  const found = {};
  for (const part of formatter(withDay).formatToParts(when)) found[part.type] = part.value;
  return found;
}

export function formatTime(iso) {
  const p = pieces(iso, false);
  return p ? `${p.hour}:${p.minute}` : "";
}

export function formatDayTime(iso) {
  const p = pieces(iso, true);
  return p ? `${p.month}-${p.day} ${p.hour}:${p.minute}` : "";
}
