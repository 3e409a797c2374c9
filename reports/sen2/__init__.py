"""The DfE's SEN2 person-level return, produced from the cases (decision 0032)."""
