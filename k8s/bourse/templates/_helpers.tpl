{{/* Names, labels and the pieces shared by the api and worker Deployments and the migration Job. */}}

{{- define "bourse.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "bourse.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "bourse.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "bourse.selectorLabels" -}}
app.kubernetes.io/name: {{ include "bourse.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "bourse.labels" -}}
helm.sh/chart: {{ include "bourse.chart" . }}
{{ include "bourse.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: bourse
{{- end -}}

{{/* Labels of one component; call with (dict "root" $ "component" "api"). */}}
{{- define "bourse.componentLabels" -}}
{{ include "bourse.labels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "bourse.componentSelector" -}}
{{ include "bourse.selectorLabels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "bourse.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "bourse.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "bourse.secretName" -}}
{{- default (printf "%s-secrets" (include "bourse.fullname" .)) .Values.secrets.existingSecret -}}
{{- end -}}

{{- define "bourse.image" -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}
{{- end -}}

{{/* Built entrypoints in the image (see docker/Dockerfile); args keep tini as PID 1. */}}
{{- define "bourse.entrypoint" -}}
{{- printf "dist/apps/%s/apps/%s/src/main.js" . . -}}
{{- end -}}

{{/* The api's preStop sleep (the worker has none) + drain + timeout + margin; call with (dict "root" $ "component" "api"). */}}
{{- define "bourse.terminationGracePeriodSeconds" -}}
{{- $preStop := ternary .root.Values.shutdown.preStopSleepSeconds 0 (eq .component "api") -}}
{{- add $preStop .root.Values.shutdown.drainDelaySeconds .root.Values.shutdown.timeoutSeconds 5 -}}
{{- end -}}

{{/*
Non-secret environment, shared by the ConfigMap (api, worker) and the migration Job. The Job
gets it inline because a pre-install hook runs before the release's ConfigMap exists.
*/}}
{{- define "bourse.configData" -}}
{{- $data := dict -}}
{{- range $key, $value := .Values.config -}}
{{- $_ := set $data $key (toString $value) -}}
{{- end -}}
{{- $_ := set $data "HOST" "0.0.0.0" -}}
{{- $_ := set $data "API_PORT" (toString .Values.api.port) -}}
{{- $_ := set $data "WORKER_PORT" (toString .Values.worker.port) -}}
{{- $_ := set $data "API_METRICS_PORT" (toString .Values.api.metricsPort) -}}
{{- $_ := set $data "WORKER_METRICS_PORT" (toString .Values.worker.metricsPort) -}}
{{- $_ := set $data "SHUTDOWN_DRAIN_DELAY_MS" (toString (mul .Values.shutdown.drainDelaySeconds 1000)) -}}
{{- /* Outlives the load balancer's idle timeout, so the LB always closes an idle connection first. */ -}}
{{- $_ := set $data "HTTP_KEEP_ALIVE_TIMEOUT_MS" (toString (mul (add .Values.ingress.timeoutSeconds 5) 1000)) -}}
{{- $_ := set $data "SHUTDOWN_TIMEOUT_MS" (toString (mul .Values.shutdown.timeoutSeconds 1000)) -}}
{{- toYaml $data -}}
{{- end -}}

{{/* Secret variables, by reference only. */}}
{{- define "bourse.secretEnv" -}}
{{- $secret := include "bourse.secretName" . -}}
{{- range $name, $key := .Values.secrets.keys }}
- name: {{ $name }}
  valueFrom:
    secretKeyRef:
      name: {{ $secret }}
      key: {{ $key }}
      {{- if not (has $name (list "DATABASE_URL" "REDIS_URL" "JWT_SECRET" "KYC_PII_KEY" "KYC_SUMSUB_WEBHOOK_SECRET")) }}
      optional: true
      {{- end }}
{{- end -}}
{{- end -}}

{{- define "bourse.checkValues" -}}
{{- if .Values.externalSecret.enabled -}}
{{- $_ := required "externalSecret.secretStoreRef.name is required when externalSecret.enabled" .Values.externalSecret.secretStoreRef.name -}}
{{- $_ := required "externalSecret.remoteKey is required when externalSecret.enabled" .Values.externalSecret.remoteKey -}}
{{- end -}}
{{- range $component := list "api" "worker" -}}
{{- $values := index $.Values $component -}}
{{- if eq (int $values.port) (int $values.metricsPort) -}}
{{- fail (printf "%s.metricsPort must differ from %s.port: /metrics stays off the served port" $component $component) -}}
{{- end -}}
{{- end -}}
{{- if and (eq (toString .Values.config.NODE_ENV) "production") (has "*" (splitList "," (toString .Values.config.CORS_ORIGINS | nospace))) -}}
{{- fail "config.CORS_ORIGINS must list the web origins in production, not \"*\"" -}}
{{- end -}}
{{- if and .Values.ingress.enabled (lt (int .Values.ingress.timeoutSeconds) 46) -}}
{{- fail "ingress.timeoutSeconds must exceed Socket.IO's ping interval + timeout (25 s + 20 s)" -}}
{{- end -}}
{{- end -}}

{{/* Runbook annotations of an alert: docs/runbooks/<file>.md (scripts/check-deploy.sh checks they exist). */}}
{{- define "bourse.runbook" -}}
runbook: docs/runbooks/{{ .file }}.md
{{- if .base }}
runbook_url: {{ printf "%s/%s.md" .base .file }}
{{- end }}
{{- end -}}
