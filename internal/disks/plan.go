package disks

import (
	"context"
	"fmt"
	"os"
)

// Plan is what a disk create task does, in order: the commands it runs
// (argument vectors) and the files it writes. The create endpoints build
// one plan and either answer it (their dry-run) or run it as the task
// (Execute), so what a dry run shows is what the task does.
//
// A value only known while the task runs (a new partition, a file
// system's UUID, a size read back) is a variable: a step that learns it
// sets it for the steps after it, and a plan that has not run shows it
// as "<name>".
type Plan struct {
	Steps []*Step `json:"steps"`
	// Devices are the block devices the plan erases.
	Devices []string `json:"devices"`
	// check is repeated under the disk lock before the first step (and by
	// Check for a dry run): another task may have run since the plan was
	// made.
	check func(ctx context.Context) error
}

// Step is one command or file write of a plan.
type Step struct {
	Text string `json:"text"`
	// Cmd is the argument vector as planned (variables as "<name>").
	Cmd  []string `json:"cmd,omitempty"`
	File *File    `json:"file,omitempty"`
	// When says under which condition the step runs; "" is always.
	When string `json:"when,omitempty"`
	// Optional is 1 when a failure of the step is only a warning.
	Optional int `json:"optional,omitempty"`

	argv    func(Vars) []string
	content func(Vars) ([]byte, error)
	// learn reads what the step's command printed into the variables.
	learn func(Vars, []byte) error
	// need tells whether the step must run (nil: always).
	need func() bool
	// do is the work of a step that is not a command (a file change).
	do func(ctx context.Context, l Log, v Vars) error
	// undo takes the step back when a later step fails.
	undo func(ctx context.Context, l Log)
	wrap func(error) error
	// quiet steps are not written to the task log (udevadm trigger).
	quiet bool
}

// File is a file a step writes: its whole content, or one line it adds.
type File struct {
	Path    string `json:"path"`
	Content string `json:"content,omitempty"`
	Line    string `json:"line,omitempty"`
}

// Vars are the values a plan learns while it runs.
type Vars map[string]string

// Get is the value of name, or "<name>" while it is not known (a plan
// that has not run).
func (v Vars) Get(name string) string {
	if s, ok := v[name]; ok {
		return s
	}
	return "<" + name + ">"
}

// NewPlan returns an empty plan erasing devs; check is repeated before
// the plan runs.
func NewPlan(devs []string, check func(ctx context.Context) error) *Plan {
	return &Plan{Devices: append([]string{}, devs...), Steps: []*Step{}, check: check}
}

// Run adds a command step.
func (p *Plan) Run(text string, argv ...string) *Step {
	return p.RunVars(text, func(Vars) []string { return argv })
}

// RunVars adds a command step whose argument vector uses variables.
func (p *Plan) RunVars(text string, argv func(Vars) []string) *Step {
	st := &Step{Text: text, Cmd: argv(nil), argv: argv}
	p.Steps = append(p.Steps, st)
	return st
}

// Write adds a step writing a whole file (atomically, 0644) whose
// content may use variables.
func (p *Plan) Write(text, path string, content func(Vars) ([]byte, error)) *Step {
	st := &Step{Text: text, File: &File{Path: path}, content: content}
	if b, err := content(nil); err == nil {
		st.File.Content = string(b)
	}
	p.Steps = append(p.Steps, st)
	return st
}

// Do adds a step that changes a file by do; file says what it writes.
func (p *Plan) Do(text string, file *File, do func(ctx context.Context, l Log, v Vars) error) *Step {
	st := &Step{Text: text, File: file, do: do}
	p.Steps = append(p.Steps, st)
	return st
}

// Note adds a step the plan's caller does around it (the storage
// entry): shown, not run by Execute.
func (p *Plan) Note(text string, file *File) {
	p.Steps = append(p.Steps, &Step{Text: text, File: file})
}

// Learn makes the step read its command's output into the variables.
func (st *Step) Learn(fn func(Vars, []byte) error) *Step { st.learn = fn; return st }

// Only makes the step conditional: need tells at run time, when says so.
func (st *Step) Only(when string, need func() bool) *Step {
	st.When, st.need = when, need
	return st
}

// WarnOnly makes a failure of the step a warning.
func (st *Step) WarnOnly() *Step { st.Optional = 1; return st }

// Wrap wraps the step's error.
func (st *Step) Wrap(fn func(error) error) *Step { st.wrap = fn; return st }

// Undo takes the step back when a later step fails.
func (st *Step) Undo(fn func(ctx context.Context, l Log)) *Step { st.undo = fn; return st }

// UdevTrigger adds UdevTrigger's command: not logged, a failure only a
// warning (hosts without udev).
func (p *Plan) UdevTrigger(devs func(Vars) []string) *Step {
	st := p.RunVars("Ask udev to re-read the devices", func(v Vars) []string {
		return append([]string{"udevadm", "trigger"}, devs(v)...)
	}).WarnOnly()
	st.quiet = true
	return st
}

// SetPartType adds setting the type of partition dev (sgdisk -tN:TYPE on
// its disk), a failure only warned, as every create does.
func (p *Plan) SetPartType(s *Service, dev, typ string) {
	b := s.Blockdev(dev)
	n, err := b.partNum()
	if err != nil {
		p.Do("Set the partition type of "+dev, nil, func(context.Context, Log, Vars) error { return err }).WarnOnly()
		return
	}
	p.Run("Set the partition type of "+dev, "sgdisk", fmt.Sprintf("-t%d:%s", n, typ), b.Parent).WarnOnly()
}

// Check repeats the plan's checks (a dry run answers their error as the
// task would fail with it).
func (p *Plan) Check(ctx context.Context) error {
	if p.check == nil {
		return nil
	}
	return p.check(ctx)
}

// Execute runs the plan under the disk lock: the checks again, then
// RunSteps.
func (s *Service) Execute(ctx context.Context, l Log, p *Plan) error {
	return s.Locked(ctx, func() error {
		if err := p.Check(ctx); err != nil {
			return err
		}
		return s.RunSteps(ctx, l, p)
	})
}

// RunSteps runs each step of the plan in order, for a caller that holds
// the disk lock; when a step fails, the steps done are taken back (those
// that can be) and its error returned.
func (s *Service) RunSteps(ctx context.Context, l Log, p *Plan) error {
	v := Vars{}
	for i, st := range p.Steps {
		if err := s.step(ctx, l, st, v); err != nil {
			for j := i - 1; j >= 0; j-- {
				if p.Steps[j].undo != nil {
					p.Steps[j].undo(ctx, l)
				}
			}
			return err
		}
	}
	return nil
}

func (s *Service) step(ctx context.Context, l Log, st *Step, v Vars) error {
	if st.need != nil && !st.need() {
		return nil
	}
	err := s.work(ctx, l, st, v)
	switch {
	case err == nil:
		return nil
	case st.Optional == 1 && st.quiet:
		s.cfg.Logger.Warn("step failed", "step", st.Text, "err", err)
		return nil
	case st.Optional == 1:
		l.Warn("%v", err)
		return nil
	case st.wrap != nil:
		return st.wrap(err)
	}
	return err
}

func (s *Service) work(ctx context.Context, l Log, st *Step, v Vars) error {
	switch {
	case st.argv != nil:
		out := l
		if st.quiet {
			out = nil
		}
		res, err := s.Run(ctx, out, st.argv(v)...)
		if err != nil || st.learn == nil {
			return err
		}
		return st.learn(v, res.Stdout)
	case st.content != nil:
		b, err := st.content(v)
		if err != nil {
			return err
		}
		return s.cfg.Root.WriteFileContext(ctx, st.File.Path, b, 0o644)
	case st.do != nil:
		return st.do(ctx, l, v)
	}
	return nil
}

// MkdirStep adds creating a directory under the host root (a mount point).
func (p *Plan) MkdirStep(s *Service, dir string) *Step {
	return p.Do("Create the directory "+dir, nil, func(context.Context, Log, Vars) error {
		return os.MkdirAll(s.cfg.Root.Path(dir), 0o755)
	})
}
