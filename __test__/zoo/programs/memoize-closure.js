'use strict';
// A generic memoize helper: the cache lives in the closure, and the key is different on every
// call (it includes a timestamp), so nothing is ever reused nor dropped.
function memoize(fn) {
  const cache = new Map();
  return (key) => {
    if (!cache.has(key)) cache.set(key, fn(key));
    return cache.get(key);
  };
}

const renderGreeting = memoize((key) => {
  const [name, at] = key.split('|');
  const paragraphs = Array.from({ length: 12 }, (_, i) => `<p>Hello ${name}, item ${i}, at ${at}</p>`);
  return { html: paragraphs.join('\n'), name };
});

let visitor = 0;

function step() {
  visitor += 1;
  return renderGreeting(`visitor${visitor}|${Date.now()}`).html.length;
}

module.exports = { step };
