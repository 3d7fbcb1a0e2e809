"""The receipt printer driver (issue 4).

- `layout`: documents (text lines, QR) from a job's kind and payload, 32 or 48 columns, CJK
  counted double, from the templates in `resources/receipts/` (`sale`, `refund`, `report` for
  x_report / z_report, `test_page`, `bill_payment`, `pickup_slip`; the language: `template`);
  `receipts`: the typed data of the bill payment receipt and the pickup slip.
- `escpos_bytes`: a document as ESC/POS bytes (ESC @, FS &, GB18030, QR native or image, cut,
  drawer kick on cash), per `PrinterProfile`.
- `transports` + `driver`: `open_printer(url, profile, zone)` for dummy:, file://, tcp://,
  serial:, usb://, png:DIR; `status()` from DLE EOT, unknown when the printer does not say.
- `worker`: `PrintWorker` prints the persistent queue (`storebox.printing`) once per job;
  `QueuedReceiptPrinter` is the core's `ReceiptPrinter` port.
"""
