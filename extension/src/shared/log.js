// One prefix for everything Nudgelayer logs, so it stands out in a host page's console.
const PREFIX = "[nudgelayer]";

export const log = {
  info: (...args) => console.info(PREFIX, ...args),
  warn: (...args) => console.warn(PREFIX, ...args),
  error: (...args) => console.error(PREFIX, ...args),
};
