'use strict';
// An audit trail kept on the global object so every module can append to it; it is meant to be
// flushed to disk by a job that was never written.
globalThis.auditLog = globalThis.auditLog || [];

function audit(action, actor, details) {
  globalThis.auditLog.push({
    at: new Date().toISOString(),
    action,
    actor,
    details,
  });
}

let orderNo = 1000;

function placeOrder() {
  const order = { no: orderNo++, lines: [{ sku: 'SKU-' + orderNo, qty: 2 }], note: 'x'.repeat(600) + orderNo };
  audit('order.placed', 'customer-' + (orderNo % 50), order);
  return order.no;
}

module.exports = { step: placeOrder };
