package spec

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// rawKeySpec is an entry of a spec's key_specs. begin_search and find_keys
// hold exactly one type each, keyed by its name.
type rawKeySpec struct {
	Notes       string                     `json:"notes"`
	Flags       []string                   `json:"flags"`
	BeginSearch map[string]json.RawMessage `json:"begin_search"`
	FindKeys    map[string]json.RawMessage `json:"find_keys"`
}

// parseKeySpec decodes a key spec strictly: a field the model does not have
// is an error, and so is a missing one.
func parseKeySpec(data json.RawMessage) (KeySpec, error) {
	var raw rawKeySpec
	if err := decodeStrict(data, &raw); err != nil {
		return KeySpec{}, err
	}
	ks := KeySpec{Notes: raw.Notes, Flags: raw.Flags}
	var err error
	if ks.BeginSearch, err = parseBeginSearch(raw.BeginSearch); err != nil {
		return KeySpec{}, fmt.Errorf("begin_search: %w", err)
	}
	if ks.FindKeys, err = parseFindKeys(raw.FindKeys); err != nil {
		return KeySpec{}, fmt.Errorf("find_keys: %w", err)
	}
	return ks, nil
}

// decodeStrict decodes data into v, refusing fields that v does not have.
func decodeStrict(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("trailing data")
	}
	return nil
}

// onlyEntry returns the single key of m and its value.
func onlyEntry(m map[string]json.RawMessage) (string, json.RawMessage, error) {
	if len(m) != 1 {
		return "", nil, fmt.Errorf("want exactly one type, have %d", len(m))
	}
	for k, v := range m {
		return k, v, nil
	}
	panic("unreachable")
}

// checkEmpty accepts the value of an "unknown" type: null or {}.
func checkEmpty(typ string, val json.RawMessage) error {
	if s := string(bytes.TrimSpace(val)); s != "null" && s != "{}" {
		return fmt.Errorf("%s: unexpected value %s", typ, s)
	}
	return nil
}

func parseBeginSearch(m map[string]json.RawMessage) (BeginSearch, error) {
	typ, val, err := onlyEntry(m)
	if err != nil {
		return BeginSearch{}, err
	}
	bs := BeginSearch{Type: typ}
	switch typ {
	case BeginIndex:
		var v struct {
			Pos *int `json:"pos"`
		}
		if err := decodeStrict(val, &v); err != nil {
			return BeginSearch{}, err
		}
		if v.Pos == nil {
			return BeginSearch{}, errors.New("index: pos missing")
		}
		bs.Pos = *v.Pos
	case BeginKeyword:
		var v struct {
			Keyword   string `json:"keyword"`
			StartFrom *int   `json:"startfrom"`
		}
		if err := decodeStrict(val, &v); err != nil {
			return BeginSearch{}, err
		}
		if v.Keyword == "" || v.StartFrom == nil {
			return BeginSearch{}, errors.New("keyword: keyword or startfrom missing")
		}
		bs.Keyword, bs.StartFrom = v.Keyword, *v.StartFrom
	case BeginUnknown:
		if err := checkEmpty(typ, val); err != nil {
			return BeginSearch{}, err
		}
	default:
		return BeginSearch{}, fmt.Errorf("unsupported type %q", typ)
	}
	return bs, nil
}

func parseFindKeys(m map[string]json.RawMessage) (FindKeys, error) {
	typ, val, err := onlyEntry(m)
	if err != nil {
		return FindKeys{}, err
	}
	fk := FindKeys{Type: typ}
	switch typ {
	case FindRange:
		var v struct {
			LastKey *int `json:"lastkey"`
			Step    *int `json:"step"`
			Limit   *int `json:"limit"`
		}
		if err := decodeStrict(val, &v); err != nil {
			return FindKeys{}, err
		}
		if v.LastKey == nil || v.Step == nil || v.Limit == nil {
			return FindKeys{}, errors.New("range: lastkey, step or limit missing")
		}
		fk.LastKey, fk.Step, fk.Limit = *v.LastKey, *v.Step, *v.Limit
	case FindKeynum:
		var v struct {
			KeyNumIdx *int `json:"keynumidx"`
			FirstKey  *int `json:"firstkey"`
			Step      *int `json:"step"`
		}
		if err := decodeStrict(val, &v); err != nil {
			return FindKeys{}, err
		}
		if v.KeyNumIdx == nil || v.FirstKey == nil || v.Step == nil {
			return FindKeys{}, errors.New("keynum: keynumidx, firstkey or step missing")
		}
		fk.KeyNumIdx, fk.FirstKey, fk.Step = *v.KeyNumIdx, *v.FirstKey, *v.Step
	case FindUnknown:
		if err := checkEmpty(typ, val); err != nil {
			return FindKeys{}, err
		}
	default:
		return FindKeys{}, fmt.Errorf("unsupported type %q", typ)
	}
	return fk, nil
}
