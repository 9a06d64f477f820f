"""The council's finance ledger: actual spend on the business-case lines Azure never bills.

- `read`: a ledger file (CSV or XLSX, header `period,line,amount,currency,supplier,reference,classification`)
  into checked entries, every problem named by file, row and column.
- `store`: ledgers kept in the cost store (`ledger/` and the manifest's `ledgers`), loaded atomically and
  idempotently; `estate actuals load` is its command, the reconciliation its reader.
"""

from costing.ledger.read import LEDGER_HEADER, LedgerEntry, parse_ledger
from costing.ledger.store import LedgerResult, load_ledger, stored_ledgers

__all__ = ["LEDGER_HEADER", "LedgerEntry", "LedgerResult", "load_ledger", "parse_ledger", "stored_ledgers"]
