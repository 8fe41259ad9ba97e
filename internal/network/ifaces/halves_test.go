package ifaces

import (
	"bytes"
	"math/rand"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// checkSplits parses src in two parts at every line the splitter would
// take and compares the result with one pass over the file. It returns how
// many splits were joined and how many declined (an interface in both).
func checkSplits(t *testing.T, src string) (joined, declined int) {
	t.Helper()
	one := newParser(src, 0)
	one.run()
	for at := 1; at < len(src); at++ {
		if splitPoint(src, at) != at {
			continue
		}
		cfg := parseHalves(src, at)
		if cfg == nil {
			declined++
			continue
		}
		joined++
		if diff := cmp.Diff(one.cfg.Ifaces, cfg.Ifaces); diff != "" {
			t.Fatalf("split at %d of %q: interfaces differ from one pass (-one +split):\n%s", at, src, diff)
		}
		if diff := cmp.Diff(one.cfg.Lines, cfg.Lines); diff != "" {
			t.Fatalf("split at %d of %q: lines differ from one pass (-one +split):\n%s", at, src, diff)
		}
	}
	return joined, declined
}

// splitInputs are the golden cases, the fuzz corpus and files made up of
// their lines in random order, with white space added at either end.
func splitInputs(t *testing.T) []string {
	var ins []string
	files, _ := filepath.Glob("testdata/*.in")
	golden, _ := filepath.Glob("testdata/*.golden")
	for _, f := range append(files, golden...) {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		ins = append(ins, string(b))
	}
	corpus, _ := filepath.Glob("testdata/fuzz/FuzzParse/*")
	for _, f := range corpus {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		_, arg, _ := strings.Cut(strings.TrimSpace(string(b)), "string(")
		s, err := strconv.Unquote(strings.TrimSuffix(arg, ")"))
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		ins = append(ins, s)
	}
	if len(ins) < 20 {
		t.Fatalf("only %d inputs", len(ins))
	}
	var pool []string
	for _, s := range ins {
		pool = append(pool, strings.Split(s, "\n")...)
	}
	pool = append(pool, "auto vmbr1 vmbr2", "auto\tx", "auto", "iface vmbr1", "iface vmbr2 inet6 static", "\tbridge-ports vmbr2",
		"#top", "", "source x", "allow-vmbr0 eno1", "mapping m", "\tscript y", "iface x inet manual\v", "auto \u00a0x\u2003y")
	r := rand.New(rand.NewSource(19))
	for range 400 {
		var b strings.Builder
		for range 1 + r.Intn(30) {
			l := pool[r.Intn(len(pool))]
			switch r.Intn(8) {
			case 0:
				l = " " + l
			case 1:
				l += " "
			case 2:
				l += "\v"
			}
			b.WriteString(l)
			b.WriteByte('\n')
		}
		ins = append(ins, b.String())
	}
	return ins
}

// TestParseHalves holds the parse of a large file in two parts at once to
// one pass over it, on varied files split at every line the splitter
// would take.
func TestParseHalves(t *testing.T) {
	joined, declined := 0, 0
	for _, src := range splitInputs(t) {
		j, d := checkSplits(t, src)
		joined, declined = joined+j, declined+d
	}
	// the comparison must have run, and the fallback must have been taken
	if joined < 1000 || declined < 100 {
		t.Fatalf("%d splits joined, %d declined: too few to tell", joined, declined)
	}
}

// TestParseLargeFileInHalves checks that Parse takes the two-part path for
// a large file and writes what one pass writes.
func TestParseLargeFileInHalves(t *testing.T) {
	src := bridgesFile(1000)
	if len(src) < parallelMin {
		t.Fatalf("test file of %d bytes is below the %d bytes that split", len(src), parallelMin)
	}
	if at := splitPoint(string(src), len(src)/2); at == 0 || parseHalves(string(src), at) == nil {
		t.Fatal("the bridges file is not parsed in two parts")
	}
	split, err := roundTrip(src)
	if err != nil {
		t.Fatal(err)
	}
	defer func(n int) { parallelMin = n }(parallelMin)
	parallelMin = len(src) + 1
	one, err := roundTrip(src)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(split, one) {
		t.Fatal("the file written after a parse in two parts differs from the one after one pass")
	}
}

// TestRenderParts holds the writer that renders two parts at once to the
// one that renders all in turn, on varied files cut before every
// interface.
func TestRenderParts(t *testing.T) {
	o := ifupdown2
	write := func(src string, k int) ([]byte, int) {
		cfg, err := Parse(strings.NewReader(src), testKernel())
		if err != nil {
			t.Fatal(err)
		}
		ifs, err := cfg.validate(o)
		if err != nil {
			return nil, -1
		}
		items := cfg.order(ifs)
		var b bytes.Buffer
		if k < 0 {
			renderItems(&b, items, cfg.Lines, o, true)
		} else {
			renderParts(&b, items, k, 0, cfg.Lines, o)
		}
		return b.Bytes(), len(items)
	}
	compared := 0
	for _, src := range splitInputs(t) {
		one, n := write(src, -1)
		for k := 0; k <= n; k++ {
			parts, _ := write(src, k)
			if !bytes.Equal(one, parts) {
				t.Fatalf("%q written in parts cut at %d:\n%s\nin one go:\n%s", src, k, parts, one)
			}
			compared++
		}
	}
	if compared < 1000 {
		t.Fatalf("only %d files written in parts", compared)
	}
}

// TestValidateLargeFileOrder checks that with enough interfaces for the
// text and loop checks to run at once, a text error still comes before a
// loop, the first in name order before a later one, and a loop alone is
// still found.
func TestValidateLargeFileOrder(t *testing.T) {
	loop := "iface vmbr9000 inet manual\n\tbridge-ports vmbr9001\n\niface vmbr9001 inet manual\n\tbridge-ports vmbr9000\n\n"
	bad := "iface vmbr9002 inet static\n\taddress 10.0.0.x/24\n\tbridge-ports none\n\n"
	src := string(bridgesFile(parallelIfaces)) + loop
	for _, c := range []struct{ src, want string }{
		{src, "iface vmbr9000 - interface loop: vmbr9000 -> vmbr9001 -> vmbr9000"},
		{src + bad, "iface vmbr9002 - invalid address '10.0.0.x'"},
		{src + bad + strings.ReplaceAll(bad, "vmbr9002", "vmbr00"), "iface vmbr00 - invalid address '10.0.0.x'"},
	} {
		_, err := roundTrip([]byte(c.src))
		if err == nil || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("got %v, want %s", err, c.want)
		}
	}
}
