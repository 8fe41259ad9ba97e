package metrics

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	lp "github.com/influxdata/line-protocol/v2/lineprotocol"

	"hostadm/internal/metrics/export"
	"hostadm/internal/metrics/wire"
)

// influxConf is an InfluxDB 1.6 configuration on loopback under dir, with
// the UDP line-protocol listener writing to database "proxmox".
const influxConf = `reporting-disabled = true
bind-address = "127.0.0.1:%d"
[meta]
  dir = "%[2]s/meta"
[data]
  dir = "%[2]s/data"
  wal-dir = "%[2]s/wal"
  query-log-enabled = false
  wal-fsync-delay = "0s"
[http]
  enabled = true
  bind-address = "127.0.0.1:%d"
  log-enabled = false
[[udp]]
  enabled = true
  bind-address = "127.0.0.1:%d"
  database = "proxmox"
  batch-size = 100
  batch-timeout = "20ms"
[monitor]
  store-enabled = false
[continuous_queries]
  enabled = false
[subscriber]
  enabled = false
[logging]
  level = "warn"
`

// TestExportToInfluxDB sends one round over UDP into Debian's influxd
// and queries every point back over its HTTP API: same measurements, tags,
// fields, values and timestamps as the lines hostadm sent.
func TestExportToInfluxDB(t *testing.T) {
	influxd := needTool(t, "influxd", "influxdb")
	dir := t.TempDir()
	httpPort, udpPort := freePort(t, "tcp"), freePort(t, "udp")
	conf := filepath.Join(dir, "influxdb.conf")
	if err := os.WriteFile(conf, fmt.Appendf(nil, influxConf, freePort(t, "tcp"), dir, httpPort, udpPort), 0o644); err != nil {
		t.Fatal(err)
	}
	startDaemon(t, dir, influxd, "run", "-config", conf)
	base := "http://127.0.0.1:" + itoa(httpPort)
	// The UDP listener creates its database with its first batch only.
	waitFor(t, 15*time.Second, "influxd to answer and listen on UDP", func() bool {
		resp, err := http.PostForm(base+"/query", url.Values{"q": {"CREATE DATABASE proxmox"}})
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == 200 && udpBound(udpPort)
	})

	obj := exportRound(t, export.Server{ID: "influx", Type: export.TypeInfluxDB, Host: "127.0.0.1",
		Port: udpPort, Proto: export.ProtoUDP})
	var b wire.Batcher
	wire.EncodeInflux(&b, &obj)
	dec := lp.NewDecoderWithBytes(b.Bytes())
	lines := 0
	for dec.Next() {
		lines++
		checkInfluxPoint(t, base, dec)
	}
	if err := dec.Err(); err != nil || lines < 8 {
		t.Fatalf("%d lines sent, decode error %v", lines, err)
	}
}

// influxResult is the answer of /query.
type influxResult struct {
	Results []struct {
		Series []struct {
			Name    string          `json:"name"`
			Columns []string        `json:"columns"`
			Values  [][]interface{} `json:"values"`
		} `json:"series"`
		Error string `json:"error"`
	} `json:"results"`
}

func influxQuery(base, q string, res *influxResult) error {
	resp, err := http.Get(base + "/query?" + url.Values{"db": {"proxmox"}, "q": {q}, "epoch": {"s"}}.Encode())
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		return fmt.Errorf("query: %s", resp.Status)
	}
	return json.NewDecoder(resp.Body).Decode(res)
}

// checkInfluxPoint queries the point of the decoder's current line and
// compares every field and the time.
func checkInfluxPoint(t *testing.T, base string, dec *lp.Decoder) {
	t.Helper()
	m, _ := dec.Measurement()
	where := []string{}
	for {
		k, v, err := dec.NextTag()
		if err != nil || k == nil {
			break
		}
		where = append(where, fmt.Sprintf(`"%s" = '%s'`, k, v))
	}
	fields := map[string]string{}
	for {
		k, v, err := dec.NextField()
		if err != nil || k == nil {
			break
		}
		fields[string(k)] = fmt.Sprint(v.Interface())
	}
	ts, err := dec.Time(lp.Nanosecond, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	q := fmt.Sprintf(`SELECT * FROM "%s" WHERE %s`, m, strings.Join(where, " AND "))
	var res influxResult
	waitFor(t, 5*time.Second, "point "+string(m), func() bool {
		res = influxResult{}
		return influxQuery(base, q, &res) == nil && len(res.Results) == 1 && len(res.Results[0].Series) == 1
	})
	s := res.Results[0].Series[0]
	if len(s.Values) != 1 {
		t.Fatalf("%s: %d points, want 1", q, len(s.Values))
	}
	row := map[string]any{}
	for i, c := range s.Columns {
		row[c] = s.Values[0][i]
	}
	if got, _ := row["time"].(float64); int64(got) != ts.Unix() {
		t.Errorf("%s: time %v, want %d", m, row["time"], ts.Unix())
	}
	t.Logf("%s: %d fields compared", q, len(fields))
	for k, v := range fields {
		got, ok := row[k].(float64)
		if !ok {
			t.Errorf("%s: field %s = %#v in influxdb, %s sent", m, k, row[k], v)
			continue
		}
		sameNumber(t, string(m)+"."+k, v, got)
	}
}
