{{/* Chart name. */}}
{{- define "denseserve.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Fully qualified app name. */}}
{{- define "denseserve.fullname" -}}
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

{{- define "denseserve.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Common labels. */}}
{{- define "denseserve.labels" -}}
helm.sh/chart: {{ include "denseserve.chart" . }}
{{ include "denseserve.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/* Selector labels. */}}
{{- define "denseserve.selectorLabels" -}}
app.kubernetes.io/name: {{ include "denseserve.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "denseserve.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "denseserve.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* Intra-op threads: explicit, or the CPU limit (whole cores, at least 1) divided by the workers. */}}
{{- define "denseserve.intraOpThreads" -}}
{{- if gt (int .Values.inference.intraOpThreads) 0 }}
{{- .Values.inference.intraOpThreads }}
{{- else }}
{{- $cpu := toString (.Values.resources.limits.cpu | default "1") }}
{{- $cores := 1 }}
{{- if hasSuffix "m" $cpu }}
{{- $cores = div (int (trimSuffix "m" $cpu)) 1000 }}
{{- else }}
{{- $cores = int (float64 $cpu) }}
{{- end }}
{{- max 1 (div $cores (max 1 (int .Values.inference.workers))) }}
{{- end }}
{{- end }}
