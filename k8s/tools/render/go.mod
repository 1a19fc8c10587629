module github.com/bourse/bourse/k8s/tools/render

// Offline builds (scripts/check-deploy.sh) use GOPATH mode over Debian's Go sources
// (GO111MODULE=off GOPATH=/usr/share/gocode); this file serves online module builds.
go 1.19

require (
	github.com/Masterminds/sprig/v3 v3.2.3
	gopkg.in/yaml.v2 v2.4.0
)
