package disks

import (
	"encoding/json"
	"fmt"
	"strings"
)

// SmartData is the SMART answer in Proxmox's shape (health, type 'ata'
// with attributes or 'text' with text, wearout) plus hostadm's structured
// NVMe health.
type SmartData struct {
	Health     string       `json:"health"`
	Type       string       `json:"type,omitempty"`
	Attributes []SmartAttr  `json:"attributes,omitempty"`
	Text       string       `json:"text,omitempty"`
	Wearout    *int         `json:"wearout,omitempty"`
	NVMe       *NVMeHealth  `json:"nvme,omitempty"`
	ExitStatus int          `json:"-"`
	Protocol   string       `json:"-"` // ATA, NVMe, SCSI
	SelfTests  []SelfTest   `json:"-"`
	raw        *smartctlDoc `json:"-"`
}

// SmartAttr is one ATA attribute row as Proxmox reports it.
type SmartAttr struct {
	ID         string `json:"id"` // as smartctl prints it: right-aligned in 3 columns
	Name       string `json:"name"`
	Flags      string `json:"flags"`
	Value      int    `json:"value"`
	Normalized int    `json:"normalized"`
	Worst      int    `json:"worst"`
	Threshold  int    `json:"threshold"`
	Fail       string `json:"fail"`
	Raw        string `json:"raw"`
}

// NVMeHealth is the NVMe SMART/health log (hostadm extension).
type NVMeHealth struct {
	CriticalWarning int   `json:"critical_warning"`
	Temperature     int   `json:"temperature"`
	AvailableSpare  int   `json:"available_spare"`
	SpareThreshold  int   `json:"available_spare_threshold"`
	PercentageUsed  int   `json:"percentage_used"`
	DataUnitsRead   int64 `json:"data_units_read"`
	DataUnitsWrite  int64 `json:"data_units_written"`
	PowerCycles     int64 `json:"power_cycles"`
	PowerOnHours    int64 `json:"power_on_hours"`
	UnsafeShutdowns int64 `json:"unsafe_shutdowns"`
	MediaErrors     int64 `json:"media_errors"`
	ErrorLogEntries int64 `json:"num_err_log_entries"`
}

// SelfTest is one entry of a self-test log (hostadm extension).
type SelfTest struct {
	Type         string `json:"type"`
	Status       string `json:"status"`
	Passed       bool   `json:"-"`
	PowerOnHours int64  `json:"lifetime_hours"`
	Remaining    int    `json:"remaining_percent"`
}

type smartctlDoc struct {
	Smartctl struct {
		ExitStatus int `json:"exit_status"`
		Messages   []struct {
			String   string `json:"string"`
			Severity string `json:"severity"`
		} `json:"messages"`
	} `json:"smartctl"`
	Device struct {
		Protocol string `json:"protocol"`
	} `json:"device"`
	SmartSupport *struct {
		Available bool `json:"available"`
		Enabled   bool `json:"enabled"`
	} `json:"smart_support"`
	SmartStatus *struct {
		Passed bool `json:"passed"`
		SCSI   *struct {
			IEString string `json:"ie_string"`
		} `json:"scsi"`
	} `json:"smart_status"`
	ATAAttrs *struct {
		Table []struct {
			ID         int    `json:"id"`
			Name       string `json:"name"`
			Value      int    `json:"value"`
			Worst      int    `json:"worst"`
			Thresh     int    `json:"thresh"`
			WhenFailed string `json:"when_failed"`
			Flags      struct {
				String string `json:"string"`
			} `json:"flags"`
			Raw struct {
				String string `json:"string"`
			} `json:"raw"`
		} `json:"table"`
	} `json:"ata_smart_attributes"`
	NVMeLog     *NVMeHealth `json:"nvme_smart_health_information_log"`
	Temperature *struct {
		Current   int `json:"current"`
		DriveTrip int `json:"drive_trip"`
	} `json:"temperature"`
	PowerOnTime *struct {
		Hours   int64 `json:"hours"`
		Minutes int64 `json:"minutes"`
	} `json:"power_on_time"`
	SCSIGrownDefects *int64 `json:"scsi_grown_defect_list"`
	SCSIPercentUsed  *int   `json:"scsi_percentage_used_endurance_indicator"`
	ATASelfTestLog   *struct {
		Standard struct {
			Table []selfTestRow `json:"table"`
		} `json:"standard"`
	} `json:"ata_smart_self_test_log"`
	NVMeSelfTestLog *struct {
		Table []struct {
			SelfTestCode struct {
				String string `json:"string"`
			} `json:"self_test_code"`
			SelfTestResult struct {
				Value  int    `json:"value"`
				String string `json:"string"`
			} `json:"self_test_result"`
			PowerOnHours int64 `json:"power_on_hours"`
		} `json:"table"`
	} `json:"nvme_self_test_log"`
}

type selfTestRow struct {
	Type struct {
		String string `json:"string"`
	} `json:"type"`
	Status struct {
		String    string `json:"string"`
		Passed    *bool  `json:"passed"`
		Remaining int    `json:"remaining_percent"`
	} `json:"status"`
	LifetimeHours int64 `json:"lifetime_hours"`
}

// ParseSmartctlJSON turns `smartctl -j` output into SmartData. Only the
// fields present in the output are used, so `-H` alone gives the health.
func ParseSmartctlJSON(b []byte) (*SmartData, error) {
	var doc smartctlDoc
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("parse smartctl output: %w", err)
	}
	sd := &SmartData{Health: "UNKNOWN", ExitStatus: doc.Smartctl.ExitStatus, Protocol: doc.Device.Protocol, raw: &doc}
	switch {
	case doc.SmartSupport != nil && doc.SmartSupport.Available && !doc.SmartSupport.Enabled:
		sd.Health = "SMART Disabled"
	case doc.SmartStatus != nil:
		sd.Health = healthText(&doc)
	}
	switch {
	case doc.ATAAttrs != nil:
		sd.Type = "ata"
		for _, a := range doc.ATAAttrs.Table {
			sd.Attributes = append(sd.Attributes, SmartAttr{
				ID: fmt.Sprintf("%3d", a.ID), Name: a.Name, Flags: flagsText(a.Flags.String),
				Value: a.Value, Normalized: a.Value, Worst: a.Worst, Threshold: a.Thresh,
				Fail: failText(a.WhenFailed), Raw: a.Raw.String,
			})
		}
	case doc.NVMeLog != nil:
		sd.Type = "text"
		sd.NVMe = doc.NVMeLog
		sd.Text = nvmeText(doc.NVMeLog)
		w := 100 - doc.NVMeLog.PercentageUsed
		sd.Wearout = &w
	case doc.Device.Protocol == "SCSI" && doc.SmartStatus != nil:
		sd.Type = "text"
		sd.Text = scsiText(&doc)
		if doc.SCSIPercentUsed != nil {
			w := 100 - *doc.SCSIPercentUsed
			sd.Wearout = &w
		}
	}
	sd.SelfTests = selfTests(&doc)
	return sd, nil
}

// healthText is what smartctl's text output shows as the health result:
// PASSED/FAILED! for ATA and NVMe, OK or the IE string for SCSI.
func healthText(doc *smartctlDoc) string {
	st := doc.SmartStatus
	if doc.Device.Protocol == "SCSI" {
		if st.SCSI != nil && st.SCSI.IEString != "" {
			return st.SCSI.IEString
		}
		if st.Passed {
			return "OK"
		}
		return "FAILED!"
	}
	if st.Passed {
		return "PASSED"
	}
	return "FAILED!"
}

// flagsText is the brief flags column (six characters like "POSR-K").
func flagsText(s string) string { return strings.TrimSpace(s) }

// failText is the brief format's FAIL column.
func failText(when string) string {
	switch when {
	case "":
		return "-"
	case "now":
		return "NOW"
	case "past":
		return "Past"
	}
	return when
}

// wearRegisters are the attribute names Proxmox reads wear-out from, in
// order of preference.
var wearRegisters = []string{
	"Media_Wearout_Indicator", "SSD_Life_Left", "Wear_Leveling_Count", "Perc_Write/Erase_Ct_BC",
	"Perc_Rated_Life_Remain", "Remaining_Lifetime_Perc", "Percent_Lifetime_Remain", "Lifetime_Left",
	"PCT_Life_Remaining", "Lifetime_Remaining", "Percent_Life_Remaining", "Percent_Lifetime_Used",
	"Perc_Rated_Life_Used",
}

// WearLeveling is the percentage of life left, from the NVMe/SAS
// indicator or the first known ATA wear attribute.
func (sd *SmartData) WearLeveling() (int, bool) {
	if sd.Wearout != nil {
		return *sd.Wearout, true
	}
	for _, reg := range wearRegisters {
		for _, a := range sd.Attributes {
			if strings.Contains(a.Name, reg) {
				if strings.Contains(a.Name, "Used") {
					return 100 - a.Value, true
				}
				return a.Value, true
			}
		}
	}
	return 0, false
}

func selfTests(doc *smartctlDoc) []SelfTest {
	var out []SelfTest
	if doc.ATASelfTestLog != nil {
		for _, r := range doc.ATASelfTestLog.Standard.Table {
			out = append(out, SelfTest{Type: r.Type.String, Status: r.Status.String,
				Passed: r.Status.Passed == nil || *r.Status.Passed, PowerOnHours: r.LifetimeHours,
				Remaining: r.Status.Remaining})
		}
	}
	if doc.NVMeSelfTestLog != nil {
		for _, r := range doc.NVMeSelfTestLog.Table {
			out = append(out, SelfTest{Type: r.SelfTestCode.String, Status: r.SelfTestResult.String,
				Passed: r.SelfTestResult.Value == 0, PowerOnHours: r.PowerOnHours})
		}
	}
	return out
}
