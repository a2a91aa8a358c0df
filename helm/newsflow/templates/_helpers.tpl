{{/* Chart name, truncated to the 63 characters a label value allows. */}}
{{- define "newsflow.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Full resource name: "<release>-<chart>", or the release name when it already contains the chart name. */}}
{{- define "newsflow.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* "<chart>-<version>" for the helm.sh/chart label. */}}
{{- define "newsflow.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The version the pods run: the image tag, or the chart's appVersion. */}}
{{- define "newsflow.version" -}}
{{- default .Chart.AppVersion .Values.image.tag | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels every resource carries. */}}
{{- define "newsflow.labels" -}}
helm.sh/chart: {{ include "newsflow.chart" . }}
{{ include "newsflow.selectorLabels" . }}
app.kubernetes.io/version: {{ include "newsflow.version" . | quote }}
app.kubernetes.io/component: {{ .Values.component | quote }}
app.kubernetes.io/part-of: {{ .Values.partOf | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* Labels the Deployment, Service and PodDisruptionBudget select pods by (immutable once installed). */}}
{{- define "newsflow.selectorLabels" -}}
app.kubernetes.io/name: {{ include "newsflow.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "newsflow.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "newsflow.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "newsflow.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{/* The HTTP port, taken from config.telemetry.listen ("host:port" or "[v6]:port"). */}}
{{- define "newsflow.httpPort" -}}
{{- $listen := toString .Values.config.telemetry.listen }}
{{- $port := regexFind "[0-9]+$" $listen }}
{{- if not $port }}
{{- fail (printf "config.telemetry.listen %q has no port" $listen) }}
{{- end }}
{{- $port }}
{{- end }}

{{/*
newsflow.toml from .Values.config. Helm reads YAML numbers as float64, so whole numbers are printed as TOML
integers (1000000, not 1e+06) and fractions as TOML floats; strings go through toJson, whose escapes are
valid in TOML basic strings; lists become inline arrays; maps become [tables]; null values are left out so
the binary's default applies. Keys are sorted, scalars before sub-tables as TOML requires.
*/}}
{{- define "newsflow.toml.key" -}}
{{- if regexMatch "^[A-Za-z0-9_-]+$" . }}{{ . }}{{ else }}{{ toJson . }}{{ end }}
{{- end }}

{{- define "newsflow.toml.value" -}}
{{- $v := . }}
{{- if kindIs "bool" $v }}{{ $v }}
{{- else if kindIs "string" $v }}{{ toJson $v }}
{{- else if kindIs "float64" $v }}{{ if eq (floor $v) $v }}{{ int64 $v }}{{ else }}{{ $v }}{{ end }}
{{- else if or (kindIs "int" $v) (kindIs "int64" $v) }}{{ $v }}
{{- else if kindIs "slice" $v }}[{{ range $i, $e := $v }}{{ if $i }}, {{ end }}{{ include "newsflow.toml.value" $e }}{{ end }}]
{{- else }}{{ fail (printf "config: cannot render %v (%s) as a TOML value" $v (kindOf $v)) }}
{{- end }}
{{- end }}

{{- define "newsflow.toml.table" -}}
{{- $path := .path }}
{{- if $path }}
[{{ $path }}]
{{- end }}
{{- range $k, $v := .table }}
{{- if not (or (kindIs "map" $v) (kindIs "invalid" $v)) }}
{{ include "newsflow.toml.key" $k }} = {{ include "newsflow.toml.value" $v }}
{{- end }}
{{- end }}
{{- range $k, $v := .table }}
{{- if kindIs "map" $v }}
{{- $key := include "newsflow.toml.key" $k }}
{{ include "newsflow.toml.table" (dict "path" (ternary $key (printf "%s.%s" $path $key) (eq $path "")) "table" $v) }}
{{- end }}
{{- end }}
{{- end }}

{{/* .Values.config with the files of .Values.security: SASL credentials and CAs mounted by the Deployment. */}}
{{- define "newsflow.configToml" -}}
{{- $config := deepCopy .Values.config }}
{{- $sec := .Values.security }}
{{- $props := $config.kafka.properties | default dict }}
{{- if $sec.kafka.existingSecret }}
{{- $_ := set $props "sasl.username.file" "/var/run/secrets/newsflow/kafka/username" }}
{{- $_ := set $props "sasl.password.file" "/var/run/secrets/newsflow/kafka/password" }}
{{- end }}
{{- if or $sec.kafka.caSecret $sec.kafka.caConfigMap }}
{{- $_ := set $props "ssl.ca.location" "/etc/newsflow/ca/kafka/ca.pem" }}
{{- end }}
{{- $_ := set $config.kafka "properties" $props }}
{{- if $sec.redis.urlSecret }}
{{- $_ := set $config.dedup.redis "url_file" "/var/run/secrets/newsflow/redis/url" }}
{{- else if .Values.redis.enabled }}
{{- $_ := set $config.dedup.redis "url" (printf "redis://%s-redis:6379/0" (include "newsflow.fullname" .)) }}
{{- end }}
{{- if or $sec.redis.caSecret $sec.redis.caConfigMap }}
{{- $_ := set $config.dedup.redis "tls_ca_file" "/etc/newsflow/ca/redis/ca.pem" }}
{{- end }}
{{- include "newsflow.toml.table" (dict "path" "" "table" $config) | trim }}
{{- end }}

{{/* A volume of one key of an existing Secret (or else ConfigMap) as the file `path`. */}}
{{- define "newsflow.fileVolume" -}}
- name: {{ .name }}
  {{- if .secret }}
  secret:
    secretName: {{ .secret }}
    items:
      {{- range .items }}
      - key: {{ .key }}
        path: {{ .path }}
      {{- end }}
  {{- else }}
  configMap:
    name: {{ .configMap }}
    items:
      {{- range .items }}
      - key: {{ .key }}
        path: {{ .path }}
      {{- end }}
  {{- end }}
{{- end }}

{{/* True when this release runs the dedup stage with the per-process memory store (the Redis store is shared by
every replica, so it scales like any other stage). */}}
{{- define "newsflow.memoryDedup" -}}
{{- if and (has "dedup" .Values.config.pipeline.stages) (eq (toString .Values.config.dedup.store) "memory") }}true{{ end }}
{{- end }}

{{/* A duration of the chart's form ("500ms", "15s", "2m", "1h"; values.schema.json holds them to it) in
milliseconds. */}}
{{- define "newsflow.millis" -}}
{{- $text := toString . | trim }}
{{- $number := regexFind "^[0-9]+" $text | int64 }}
{{- $unit := regexReplaceAll "^[0-9]+ *" $text "" }}
{{- if eq $unit "ms" }}{{ $number }}
{{- else if eq $unit "s" }}{{ mul $number 1000 }}
{{- else if eq $unit "m" }}{{ mul $number 60000 }}
{{- else if eq $unit "h" }}{{ mul $number 3600000 }}
{{- else }}{{ fail (printf "duration %q: write a whole number with ms, s, m or h" $text) }}
{{- end }}
{{- end }}

{{/* Cross-field rules values.schema.json cannot express; called from the Deployment. */}}
{{- define "newsflow.validate" -}}
{{- $mode := .Values.autoscaling.mode }}
{{- if not (has $mode (list "none" "hpa" "keda")) }}
{{- fail (printf "autoscaling.mode must be none, hpa or keda (got %q)" $mode) }}
{{- end }}
{{- $drainMs := include "newsflow.millis" .Values.config.kafka.drain_timeout | int64 }}
{{- if le (mul (int64 .Values.terminationGracePeriodSeconds) 1000) $drainMs }}
{{- fail (printf "terminationGracePeriodSeconds (%v s) must be above config.kafka.drain_timeout (%v ms): the worker drains, commits and flushes after SIGTERM" .Values.terminationGracePeriodSeconds $drainMs) }}
{{- end }}
{{- if ge $drainMs (include "newsflow.millis" .Values.config.kafka.session_timeout | int64) }}
{{- fail "config.kafka.drain_timeout must be below config.kafka.session_timeout" }}
{{- end }}
{{- if and .Values.redis.enabled (ne (toString .Values.config.dedup.store) "redis") }}
{{- fail "redis.enabled deploys a Redis for the dedup store: set config.dedup.store \"redis\" too" }}
{{- end }}
{{- if include "newsflow.memoryDedup" . }}
{{- if or (ne $mode "none") (gt (int .Values.replicaCount) 1) }}
{{- fail "this release runs the dedup stage with config.dedup.store \"memory\", whose state lives in one process: keep replicaCount 1 and autoscaling.mode none, set config.dedup.store \"redis\" (state shared by every replica, see config.dedup.redis), or split the pipeline (run \"extract\" in its own, scaled release: see examples/)" }}
{{- end }}
{{- end }}
{{- if and (eq $mode "hpa") (lt (int .Values.autoscaling.minReplicas) 1) }}
{{- fail "autoscaling.minReplicas must be at least 1 with mode hpa (only KEDA scales to zero)" }}
{{- end }}
{{- if lt (int .Values.autoscaling.maxReplicas) (int .Values.autoscaling.minReplicas) }}
{{- fail "autoscaling.maxReplicas must be at least autoscaling.minReplicas" }}
{{- end }}
{{- end }}

{{/* Label matchers for this release's series in PrometheusRule expressions: {a="x", b="y"}. */}}
{{- define "newsflow.ruleSelector" -}}
{{- $sel := .Values.prometheusRule.selector }}
{{- if not $sel }}
{{- $sel = dict "job" (include "newsflow.fullname" .) "namespace" .Release.Namespace }}
{{- end }}
{{- $parts := list }}
{{- range $k, $v := $sel }}
{{- $parts = append $parts (printf "%s=%s" $k (toJson (toString $v))) }}
{{- end }}
{{- printf "{%s}" (join ", " $parts) }}
{{- end }}
