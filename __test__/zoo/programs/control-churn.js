'use strict';
// A report builder that allocates a lot of temporary objects per call and keeps only a number.
function buildReport(rows) {
  const lines = rows
    .map((r) => ({ ...r, total: r.qty * r.price }))
    .filter((r) => r.total > 10)
    .map((r) => `${r.sku};${r.qty};${r.total.toFixed(2)}`);
  return lines.join('\n').length;
}

let seed = 0;

function step() {
  seed += 1;
  const rows = Array.from({ length: 200 }, (_, i) => ({ sku: `SKU-${seed}-${i}`, qty: i % 9, price: 3.5 }));
  const json = JSON.stringify(rows);
  return buildReport(JSON.parse(json));
}

module.exports = { step };
