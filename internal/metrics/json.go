package metrics

import "fmt"

// Bool is a boolean written to JSON as 1 or 0, as Proxmox VE's API does.
type Bool bool

// MarshalJSON writes 1 or 0.
func (b Bool) MarshalJSON() ([]byte, error) {
	if b {
		return []byte("1"), nil
	}
	return []byte("0"), nil
}

// PerlBool is a boolean written as "1" or "" (strings): the value a Perl
// match returns, which Proxmox VE passes through unchanged for cpuinfo.hvm.
// Clients decode it as a string (go-proxmox declares it so), a number
// breaks them.
type PerlBool bool

// MarshalJSON writes "1" or "".
func (b PerlBool) MarshalJSON() ([]byte, error) {
	if b {
		return []byte(`"1"`), nil
	}
	return []byte(`""`), nil
}

// UnmarshalJSON accepts 1, 0, true, false, "1", "0" and "".
func (b *Bool) UnmarshalJSON(data []byte) error {
	v, err := parseJSONBool(data)
	*b = Bool(v)
	return err
}

// UnmarshalJSON accepts what Bool accepts.
func (b *PerlBool) UnmarshalJSON(data []byte) error {
	v, err := parseJSONBool(data)
	*b = PerlBool(v)
	return err
}

func parseJSONBool(data []byte) (bool, error) {
	switch string(data) {
	case "1", "true", `"1"`:
		return true, nil
	case "0", "false", `""`, `"0"`, "null":
		return false, nil
	}
	return false, fmt.Errorf("boolean: unexpected %s", data)
}
