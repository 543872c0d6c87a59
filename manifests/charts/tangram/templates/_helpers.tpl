{{/* Names and labels shared by every template. */}}
{{- define "tangram.name" -}}{{ .Release.Name }}{{- end -}}

{{- define "tangram.labels" -}}
app.kubernetes.io/name: tangram
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{/* selector labels of one component: include "tangram.selector" (list . "device-plugin") */}}
{{- define "tangram.selector" -}}
app.kubernetes.io/name: tangram
app.kubernetes.io/instance: {{ (index . 0).Release.Name }}
app.kubernetes.io/component: {{ index . 1 }}
{{- end -}}

{{/* image of one binary: include "tangram.image" (list . "device-plugin") */}}
{{- define "tangram.image" -}}
{{- $root := index . 0 -}}
{{- printf "%s/tangram-%s:%s" $root.Values.image.registry (index . 1) (default $root.Chart.AppVersion $root.Values.image.tag) -}}
{{- end -}}

{{/* the GPU-node affinity of the node agents */}}
{{- define "tangram.gpuNodeAffinity" -}}
nodeAffinity:
  requiredDuringSchedulingIgnoredDuringExecution:
    nodeSelectorTerms:
    {{- toYaml .Values.gpuNodeSelectorTerms | nindent 4 }}
{{- end -}}

{{/* container security of the node agents: root for the kubelet's sockets, nothing else */}}
{{- define "tangram.nodeAgentSecurity" -}}
runAsUser: 0
runAsNonRoot: false
readOnlyRootFilesystem: true
allowPrivilegeEscalation: false
capabilities: {drop: [ALL]}
seccompProfile: {type: RuntimeDefault}
{{- end -}}

{{- define "tangram.extenderScheme" -}}{{ if .Values.extender.tls.enabled }}https{{ else }}http{{ end }}{{- end -}}
