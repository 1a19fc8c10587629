// Command render renders a Helm chart the way `helm template` does, for machines without the
// helm binary: Go text/template + sprig (the engine Helm uses) + Helm's include, tpl, toYaml,
// fromYaml, toJson, required and fail. It supports what this chart uses: no subcharts, no .Files,
// no lookup. CI on GitHub runs the real helm as well; this is the offline stand-in.
//
// Usage: render -chart k8s/bourse -f values-override.yaml -name bourse -namespace bourse -out DIR
// Writes one file per template (like `helm template --output-dir`) and all documents to stdout.
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io/ioutil"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/template"

	sprig "github.com/Masterminds/sprig/v3"
	yaml "gopkg.in/yaml.v2"
)

type valueFiles []string

func (v *valueFiles) String() string     { return strings.Join(*v, ",") }
func (v *valueFiles) Set(s string) error { *v = append(*v, s); return nil }

func main() {
	chartDir := flag.String("chart", "k8s/bourse", "chart directory")
	release := flag.String("name", "bourse", "release name")
	namespace := flag.String("namespace", "default", "release namespace")
	outDir := flag.String("out", "", "write rendered templates under this directory")
	isUpgrade := flag.Bool("upgrade", false, "render as an upgrade (.Release.IsUpgrade)")
	var files valueFiles
	flag.Var(&files, "f", "values file merged over the chart's values.yaml (repeatable)")
	flag.Parse()
	if err := run(*chartDir, *release, *namespace, *outDir, *isUpgrade, files); err != nil {
		fmt.Fprintln(os.Stderr, "render:", err)
		os.Exit(1)
	}
}

func readYAML(path string) (map[string]interface{}, error) {
	raw, err := ioutil.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var out map[string]interface{}
	if err := yaml.Unmarshal(raw, &out); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if out == nil {
		out = map[string]interface{}{}
	}
	return normalize(out).(map[string]interface{}), nil
}

// normalize turns yaml.v2's map[interface{}]interface{} into map[string]interface{}, as Helm's
// values (parsed through JSON) are, so sprig's dict functions and toJson work on them.
func normalize(v interface{}) interface{} {
	switch t := v.(type) {
	case map[interface{}]interface{}:
		m := make(map[string]interface{}, len(t))
		for k, val := range t {
			m[fmt.Sprint(k)] = normalize(val)
		}
		return m
	case map[string]interface{}:
		for k, val := range t {
			t[k] = normalize(val)
		}
		return t
	case []interface{}:
		for i, val := range t {
			t[i] = normalize(val)
		}
		return t
	default:
		return v
	}
}

// coalesce merges src over dst like Helm: maps merge deeply, anything else replaces, and an
// explicit null deletes the key.
func coalesce(dst, src map[string]interface{}) map[string]interface{} {
	for k, sv := range src {
		if sv == nil {
			delete(dst, k)
			continue
		}
		sm, sIsMap := sv.(map[string]interface{})
		dm, dIsMap := dst[k].(map[string]interface{})
		if sIsMap && dIsMap {
			dst[k] = coalesce(dm, sm)
		} else {
			dst[k] = sv
		}
	}
	return dst
}

func toYAML(v interface{}) string {
	out, err := yaml.Marshal(v)
	if err != nil {
		return ""
	}
	return strings.TrimSuffix(string(out), "\n")
}

func run(chartDir, release, namespace, outDir string, isUpgrade bool, files []string) error {
	chartMeta, err := readYAML(filepath.Join(chartDir, "Chart.yaml"))
	if err != nil {
		return err
	}
	values, err := readYAML(filepath.Join(chartDir, "values.yaml"))
	if err != nil {
		return err
	}
	for _, f := range files {
		override, err := readYAML(f)
		if err != nil {
			return err
		}
		values = coalesce(values, override)
	}
	// Helm exposes Chart.yaml fields capitalised (.Chart.Name, .Chart.AppVersion).
	chart := map[string]interface{}{}
	for k, v := range chartMeta {
		chart[strings.ToUpper(k[:1])+k[1:]] = v
	}

	tmpl := template.New("chart").Option("missingkey=zero")
	funcs := sprig.TxtFuncMap()
	// Helm's own functions; include and tpl need the template set, bound below.
	funcs["toYaml"] = toYAML
	funcs["fromYaml"] = func(s string) map[string]interface{} {
		var m map[string]interface{}
		if err := yaml.Unmarshal([]byte(s), &m); err != nil {
			return map[string]interface{}{"Error": err.Error()}
		}
		return normalize(m).(map[string]interface{})
	}
	funcs["required"] = func(msg string, v interface{}) (interface{}, error) {
		if v == nil {
			return nil, errors.New(msg)
		}
		if s, ok := v.(string); ok && s == "" {
			return nil, errors.New(msg)
		}
		return v, nil
	}
	funcs["fail"] = func(msg string) (string, error) { return "", errors.New(msg) }
	funcs["include"] = func(name string, data interface{}) (string, error) {
		var buf bytes.Buffer
		err := tmpl.ExecuteTemplate(&buf, name, data)
		return buf.String(), err
	}
	funcs["tpl"] = func(text string, data interface{}) (string, error) {
		t, err := tmpl.Clone()
		if err != nil {
			return "", err
		}
		t, err = t.New("tpl").Parse(text)
		if err != nil {
			return "", err
		}
		var buf bytes.Buffer
		err = t.Execute(&buf, data)
		return buf.String(), err
	}
	funcs["lookup"] = func(...interface{}) map[string]interface{} { return map[string]interface{}{} }
	tmpl.Funcs(funcs)

	templatesDir := filepath.Join(chartDir, "templates")
	var names []string
	err = filepath.Walk(templatesDir, func(path string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		if info.IsDir() {
			return nil
		}
		ext := filepath.Ext(path)
		if ext != ".yaml" && ext != ".yml" && ext != ".tpl" && ext != ".txt" {
			return nil
		}
		raw, err := ioutil.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(chartDir, path)
		name := filepath.ToSlash(filepath.Join(chartMeta["name"].(string), rel))
		if _, err := tmpl.New(name).Parse(string(raw)); err != nil {
			return err
		}
		names = append(names, name)
		return nil
	})
	if err != nil {
		return err
	}
	sort.Strings(names)

	data := map[string]interface{}{
		"Values": values,
		"Chart":  chart,
		"Release": map[string]interface{}{
			"Name": release, "Namespace": namespace, "Service": "Helm",
			"IsInstall": !isUpgrade, "IsUpgrade": isUpgrade, "Revision": 1,
		},
		"Capabilities": map[string]interface{}{
			"KubeVersion": map[string]interface{}{"Version": "v1.33.0", "Major": "1", "Minor": "33"},
			"APIVersions": []string{},
		},
	}

	var all bytes.Buffer
	for _, name := range names {
		base := filepath.Base(name)
		// Like Helm: partials (_*.tpl, _*.yaml) define templates only, NOTES.txt is not a manifest.
		if strings.HasPrefix(base, "_") || base == "NOTES.txt" {
			continue
		}
		t := tmpl.Lookup(name)
		var buf bytes.Buffer
		// Helm gives each template its own .Template.Name.
		scoped := map[string]interface{}{}
		for k, v := range data {
			scoped[k] = v
		}
		scoped["Template"] = map[string]interface{}{"Name": name, "BasePath": filepath.Join(chartMeta["name"].(string), "templates")}
		if err := t.Execute(&buf, scoped); err != nil {
			return err
		}
		out := strings.TrimSpace(strings.ReplaceAll(buf.String(), "<no value>", ""))
		if out == "" {
			continue
		}
		doc := fmt.Sprintf("---\n# Source: %s\n%s\n", name, out)
		all.WriteString(doc)
		if outDir != "" {
			target := filepath.Join(outDir, name)
			if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
				return err
			}
			if err := ioutil.WriteFile(target, []byte(doc), 0o644); err != nil {
				return err
			}
		}
	}
	_, err = os.Stdout.Write(all.Bytes())
	return err
}
