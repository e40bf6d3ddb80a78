'use strict';
// Product lookups memoised in a plain object used as a dictionary; ids are never reused, so the
// dictionary only grows.
const byId = {};
let lastId = 0;

function fetchProduct(id) {
  return {
    id,
    title: `Product #${id}`,
    description: Array.from({ length: 30 }, (_, i) => `Handmade item ${id}, part ${i}.`).join(' '),
    price: (id % 100) + 0.99,
  };
}

function getProduct(id) {
  if (!(id in byId)) {
    byId[id] = fetchProduct(id);
  }
  return byId[id];
}

function step() {
  lastId += 1;
  return getProduct('p' + lastId).price;
}

module.exports = { step };
