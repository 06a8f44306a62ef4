// Times are EventTimes (ms since the epoch), shown in the operator's local time zone.

const dateTime = new Intl.DateTimeFormat(undefined, {
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
});
const timeOnly = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit" });
const dayOnly = new Intl.DateTimeFormat(undefined, { year: "numeric", month: "2-digit", day: "2-digit" });

export const formatTime = (ms: number | null | undefined): string => (ms == null ? "—" : dateTime.format(ms));
export const formatClock = (ms: number): string => timeOnly.format(ms);
export const formatDay = (ms: number): string => dayOnly.format(ms);

/** "3 min ago", for the age of a state. */
export function ago(ms: number | null | undefined, now: number): string {
  if (ms == null) return "";
  const s = Math.round((now - ms) / 1000);
  if (s < 0) return "in the future";
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86400)} d ago`;
}

const hourMinute = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });
const monthDay = new Intl.DateTimeFormat(undefined, { month: "short", day: "numeric" });

/** "14:05": a chart's time label. */
export const formatHourMinute = (ms: number): string => hourMinute.format(ms);
/** "Nov 26": a chart's day label. */
export const formatMonthDay = (ms: number): string => monthDay.format(ms);
