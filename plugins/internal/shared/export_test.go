package shared

// For the external tests of this package (encoded_fuzz_test.go), which use
// beat/event's real encoded members.

// AnswerSeeds returns a first answer (defining dictionary entries) and
// answers to fuzz from, as FuzzAnswer's.
func AnswerSeeds() (first []byte, seeds [][]byte) {
	enc := NewEncDict()
	first = encodeAnswer(answer(14), enc)
	return first, [][]byte{encodeAnswer(answer(14), enc), encodeAnswer(answer(3), NewEncDict())}
}

// ApplyAfter scans first and then b on one stream, as the host does, and
// applies b to batch; scanned is false when b is refused before any event
// is changed.
func ApplyAfter(first, b []byte, batch []*Event, needs []string) (scanned bool, err error) {
	dec := &DecDict{}
	pre := &RawBatch{data: first, v2: true}
	if err := pre.scan(dec); err != nil {
		return false, err
	}
	raw := &RawBatch{}
	if err := (codec{}).Unmarshal(b, raw); err != nil || raw.Err != "" {
		return false, nil
	}
	raw.v2 = true
	if err := raw.scan(dec); err != nil {
		return false, nil
	}
	_, err = raw.Apply(batch, needs)
	return true, err
}
