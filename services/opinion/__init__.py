"""opinion: public-opinion incidents (政务舆情) from detection to evaluation, with hour deadlines."""
