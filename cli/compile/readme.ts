import { GENERATED_BANNER } from '../codegen/types.ts';

/** generated/README.md: what is here, who reads it, and that it is never edited by hand. */
export function generatedReadme(): string {
  return `<!-- ${GENERATED_BANNER} -->
# generated/ — 编译产物 / compiled output

本文件夹由 \`hall build\` 从 \`catalog/\` 与 \`schemas/\` 生成，随代码一起提交、一起评审。**请勿手工修改**：
CI 运行 \`hall build --check\`，任何手工修改或未重新生成的目录变更都会让检查失败。

This folder is written by \`hall build\` from \`catalog/\` and \`schemas/\`, committed and reviewed like code.
**Never edit it by hand**: CI runs \`hall build --check\`, which fails on any hand edit or on catalog changes
that were not rebuilt.

| 路径 / path | 内容 / contents | 读者 / reader |
|---|---|---|
| \`runtime/manifest.json\` | 每个事项的当前版本、保留的全部版本、sha256 / current and kept versions, sha256 | 运行平台 / the hall runtime |
| \`runtime/<id>/v<n>.json\` | 一个事项一个版本的运行定义：表单 JSON Schema 与界面、审批流程、链接、预约 / one version's definition | 运行平台 / the hall runtime |
| \`runtime/calendar.json\` | 工作日历（节假日、调休） / work calendar | 运行平台 / the hall runtime |
| \`bpmn/<id>/v<n>.bpmn\`、\`bpmn/<id>/v<n>/*.form\` | 每个保留版本的 Camunda 8 流程（BPMN 2.0）与表单，部署方法见 docs/camunda.md / Camunda 8 process and forms per kept version, see docs/camunda.md | Camunda 8 (Zeebe) |
| \`bpmn/deploy.json\` | 部署清单：每个事项只列当前版本的流程和表单，部署只读这个文件 / the deploy list: each service's current process and forms, the only thing a deployment reads | Camunda 8 (Zeebe) |
| \`types/\` | 由 \`schemas/\` 生成的 TypeScript 类型 / TypeScript types from \`schemas/\` | 工具链与运行平台开发者 / toolchain and runtime developers |

## 版本规则 / Versions

- 表单、流程（环节、条件、期限、通知）、链接、预约、主管与参与部门、渠道的任何变化都会产生新版本 N+1；
  只改办事指南不产生新版本，运行定义的字节也不变。
  Any change to the form, workflow (steps, conditions, deadlines, notifications), link, appointment, owner,
  participants or channels yields version N+1; a guide-only edit changes no version and no runtime bytes.
- **名称 / Names:** 有表单的事项，中文名称写在该版本的表单标题里，也是 Camunda 中流程和表单显示的名称，所以
  **改中文名称会产生新版本**；英文名称、没有表单的事项的名称不在运行定义里，改它们不产生新版本。运行平台的页面
  显示事项名称时一律取 \`runtime/manifest.json\` 中的 \`name\`（当前名称），不取版本里固定下来的名称。
  A service's Chinese name is pinned in each version that has a form (the form's title, and the name Camunda
  shows for its process and forms), so **renaming it yields a new version**; the English name, and the names
  of services without a form, are not in runtime bytes and change no version. Runtime pages show the current
  name from the manifest's \`name\`, never the pinned one.
- 版本号以已提交的 \`runtime/manifest.json\` 为准。/ Versions are decided against the committed manifest.
- **版本一经写出不再改变 / A kept version's bytes never change:** \`runtime/<id>/v<n>.json\` 只在该版本产生时写一次，
  之后（当前版本也一样）按清单中的 sha256 原样保留，任何目录修改都不会改写它；工具链的改动只影响以后产生的版本。
  \`bpmn/<id>/v<n>*\` 只由该版本保留的运行定义编译而来，不受任何目录修改影响（只有信息化办维护的导出程序改动才会
  重新导出它们，这时也只部署 \`bpmn/deploy.json\` 列出的当前版本，见 docs/camunda.md）。这条规则自 2026 年 12 月
  起执行：此前写出的文件原样保留，一个字节都没有改（其中表单标题就是当时的名称，与上面的规则一致）。
  A version file is written once, when the version is created, and then carried byte-for-byte (the current
  one too), verified against the manifest's sha256: no catalog edit rewrites it, and a toolchain change
  affects only versions created after it. \`bpmn/<id>/v<n>*\` are compiled from that kept definition alone,
  so no catalog edit changes them either (only a change to the exporter, owned by the IT office, re-exports
  them; deploy only what \`bpmn/deploy.json\` lists, see docs/camunda.md). The rule applies from December
  2026: files written before were left byte-identical (their form titles are the names of their time,
  which is the rule above).
- **保留版本的流程不变，只有图可以改进 / A kept version's process never changes, only its drawing may:** 导出程序
  改动后重新导出保留版本时，\`bpmn/<id>/v<n>.bpmn\` 中的流程部分（\`bpmn:process\` 元素：任务、网关、条件、
  定时器、表单引用）必须与重新导出前逐字节相同；只有图形部分（\`bpmndi\`：位置、连线走向、标签位置）可以变，
  例如改进布局。测试 test/bpmn/kept-process.test.ts 把每个保留版本重新导出的流程部分与 git HEAD 中的比较。
  When a change to the exporter re-exports kept versions, the process part of \`bpmn/<id>/v<n>.bpmn\` (the
  \`bpmn:process\` element: tasks, gateways, conditions, timers, form links) must stay byte-identical; only the
  drawing (\`bpmndi\`: positions, flow routes, label places) may change, e.g. a better layout.
  test/bpmn/kept-process.test.ts compares every kept version's re-exported process part with git HEAD's.
- **保留规则 / Retention:** 构建从不删除保留的版本——仍在办理中的申请继续使用它开始时的版本，已停办事项的版本
  也保留供查询统计（000号文第十三条）。删除了已发布事项的文件、或把它改成草稿（draft）、仅办事指南（guide）、
  涉密（confidential）时，\`hall check\` 报 \`runtime/kept-versions-no-file\` 或 \`runtime/kept-versions-dropped\`，
  \`hall build\` 拒绝构建，保留的文件和清单条目都不动。要停止受理，用 \`hall retire\` 停办。
  A build never drops a kept version: applications in flight continue on the version they started with, and
  retired services keep theirs for statistics. Deleting a published service's file, or making it a draft, a
  guide or confidential, is reported by \`hall check\` (\`runtime/kept-versions-no-file\`,
  \`runtime/kept-versions-dropped\`) and refused by \`hall build\`, which leaves every kept file and entry as
  it is. To stop new applications, retire the service with \`hall retire\`.
- 涉密事项和草稿不出现在这里。/ Confidential services and drafts never appear here.

## 删除保留版本 / Removing kept versions

只有信息化办可以删除保留的版本，步骤如下：

1. 运行平台确认该版本已经没有在办的申请（办事大厅：没有停在该版本上的申请；Camunda：该流程版本没有活动实例）。
2. 在一个只做这件事的 PR 中运行 \`npx hall build --remove <事项标识>@<版本号>\` 删除一个旧版本；事项已停办、或目录中
   已不再生成它的运行定义（文件已删除、已改为草稿等）时，可以用 \`npx hall build --remove <事项标识>\` 删除它的全部版本。
   新申请正在使用的当前版本不能单独删除。
3. 构建删除这些文件，并在 \`runtime/manifest.json\` 的 \`removed\` 中记下事项标识、版本号和 sha256（文件可从 git
   历史中找回）。被删除的版本号永远不再使用：同一标识以后再产生版本时从下一个号开始。
4. 提交 PR，由信息化办审核合并（generated/ 的 CODEOWNERS）。

Only the IT office removes kept versions: (1) the runtime confirms no application runs on the version (the
hall: none pinned to it; Camunda: no active instance of that process version); (2) in a PR that does only
this, run \`npx hall build --remove <id>@<version>\` for an older version, or \`npx hall build --remove <id>\`
for every version of a service that is retired or no longer built (file deleted, made a draft …); the
current version of an open service cannot be removed; (3) the build deletes the files and records id,
version and sha256 under \`removed\` in \`runtime/manifest.json\` (the file stays in git history); a removed
number is never used again; (4) the IT office reviews and merges the PR.

## 运行平台如何加载 / Loading

\`\`\`ts
import { loadRuntime } from 'servicehall/runtime';
const runtime = await loadRuntime('generated');      // 校验 schema 与 sha256 / verifies schemas and hashes
const definition = runtime.current('student-leave');  // 新申请使用的版本 / version for new applications
\`\`\`

加载器有任何问题都拒绝加载，并一次列出全部问题：清单或定义不符合 schema；文件缺失或 sha256 不符；
\`runtime/\` 中有清单没有列出的文件；某个事项的保留版本与 \`removed\` 记录合起来不是连续的 1…N（保留版本被删掉了）；
\`current\` 不是保留的最高版本（当前版本倒退了）。\`manifestProblems(manifest, files)\` 单独做清单部分的检查，PR 检查
也用它。加载器只能核对清单自己记载的内容：连同文件一起从清单中删掉、又没有 \`removed\` 记录的整个事项，要靠 PR 检查
（\`hall diff\` 与基线的清单比较）发现。

The loader refuses on any problem and lists them all: a manifest or definition that fails its schema; a
missing file or a sha256 mismatch; a file under \`runtime/\` the manifest does not name; kept versions that,
with the \`removed\` records, are not 1…N (a kept version was dropped); a \`current\` that is not the highest
kept version (it went backwards). \`manifestProblems(manifest, files)\` runs the manifest part on its own, for
the PR gate. The loader can only vouch for what the manifest records: a whole service deleted from it
together with its files and without a \`removed\` record is for the PR gate (\`hall diff\` compares with the
base manifest) to catch.
`;
}
