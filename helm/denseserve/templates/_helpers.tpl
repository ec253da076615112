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

{{/* Classifications in flight across this release's pods, averaged over a minute (scrapes are periodic). */}}
{{- define "denseserve.inFlightQuery" -}}
{{- printf "sum(avg_over_time(denseserve_requests_in_flight{namespace=\"%s\",pod=~\"%s-.*\"}[1m]))" .Release.Namespace (include "denseserve.fullname" .) }}
{{- end }}

{{/*
Scale up at once (a burst is refused with 503 until new pods are warm), down slowly (model loading
and warm-up make a pod expensive to bring back).
*/}}
{{- define "denseserve.scalingBehavior" -}}
scaleUp:
  stabilizationWindowSeconds: 0
  policies:
    - type: Percent
      value: 100
      periodSeconds: 30
scaleDown:
  stabilizationWindowSeconds: {{ .Values.autoscaling.scaleDownStabilizationSeconds }}
  policies:
    - type: Pods
      value: 1
      periodSeconds: 60
{{- end }}
