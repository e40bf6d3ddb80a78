'use strict';
// A country lookup table built lazily on the first call and reused afterwards.
let countryTable = null;

function getCountryTable() {
  if (countryTable === null) {
    countryTable = new Map();
    for (let i = 0; i < 250; i++) {
      countryTable.set(`C${i}`, { code: `C${i}`, name: `Country ${i}`, currency: `CU${i % 40}` });
    }
  }
  return countryTable;
}

let call = 0;

function step() {
  call += 1;
  return getCountryTable().get(`C${call % 250}`).name;
}

module.exports = { step };
