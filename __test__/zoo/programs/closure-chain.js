'use strict';
// The classic closure leak of the heap snapshot tutorials: `unused` refers to originalThing, and
// it shares its context with someMethod, so every new theThing keeps the previous one alive.
let theThing = null;

function replaceThing() {
  const originalThing = theThing;
  const unused = function () {
    if (originalThing) console.log('hi');
  };
  theThing = {
    longStr: new Array(1000).join('*') + Math.random(),
    someMethod: function () {
      console.log('someMessage');
    },
  };
}

module.exports = { step: replaceThing };
