<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>WindowPresets</name>
    <message>
        <location filename="../ui/src/window_presets.cpp" line="13"/>
        <source>CT Brain</source>
        <translation>CT 脑窗</translation>
    </message>
    <message>
        <location filename="../ui/src/window_presets.cpp" line="16"/>
        <source>CT Lung</source>
        <translation>CT 肺窗</translation>
    </message>
    <message>
        <location filename="../ui/src/window_presets.cpp" line="19"/>
        <source>CT Abdomen</source>
        <translation>CT 腹部窗</translation>
    </message>
    <message>
        <location filename="../ui/src/window_presets.cpp" line="22"/>
        <source>CT Bone</source>
        <translation>CT 骨窗</translation>
    </message>
</context>
<context>
    <name>main</name>
    <message>
        <location filename="../app/studio/main.cpp" line="83"/>
        <source>Interactive medical image annotation</source>
        <translation>交互式医学图像标注</translation>
    </message>
    <message>
        <location filename="../app/studio/main.cpp" line="87"/>
        <source>Open the built-in demo volume.</source>
        <translation>打开内置的演示体数据。</translation>
    </message>
    <message>
        <source>SAM / Med-SA checkpoint (.pth or .safetensors).</source>
        <translation type="vanished">SAM / Med-SA 检查点（.pth 或 .safetensors）。</translation>
    </message>
    <message>
        <source>Model geometry as JSON (default: inferred).</source>
        <translation type="vanished">模型几何参数，JSON 格式（默认：自动推断）。</translation>
    </message>
    <message>
        <location filename="../app/studio/main.cpp" line="90"/>
        <source>SAM / Med-SA checkpoint (.pth or .safetensors), or &apos;starter&apos; for the shipped starter model (the default until another is chosen).</source>
        <translation>SAM / Med-SA 检查点（.pth 或 .safetensors），或 &apos;starter&apos; 表示随程序提供的入门模型（在选择其他模型之前为默认）。</translation>
    </message>
    <message>
        <location filename="../app/studio/main.cpp" line="96"/>
        <source>Geometry of the --model checkpoint as JSON (default: inferred); models chosen later use their own.</source>
        <translation>--model 检查点的几何参数，JSON 格式（默认：自动推断）；之后选择的模型使用各自的参数。</translation>
    </message>
    <message>
        <location filename="../app/studio/main.cpp" line="102"/>
        <source>Folder for autosaves (default: the user&apos;s data folder).</source>
        <translation>自动保存文件夹（默认：用户数据文件夹）。</translation>
    </message>
    <message>
        <location filename="../app/studio/main.cpp" line="106"/>
        <source>Label map to open with the image (NIfTI, NRRD, PNG).</source>
        <translation>随图像一同打开的标签图（NIfTI、NRRD、PNG）。</translation>
    </message>
    <message>
        <location filename="../app/studio/main.cpp" line="110"/>
        <source>Open the built-in demo fundus photograph.</source>
        <translation>打开内置的演示眼底照片。</translation>
    </message>
    <message>
        <location filename="../app/studio/main.cpp" line="113"/>
        <source>Write screenshots of the window&apos;s states and dialogs to a folder, then quit.</source>
        <translation>将窗口各状态和对话框的截图写入文件夹，然后退出。</translation>
    </message>
    <message>
        <location filename="../app/studio/main.cpp" line="119"/>
        <source>Open the demo, send N clicks to the axial view with the AI tool, print the latencies (mouse release to candidate painted, and the engine&apos;s part) as JSON, then quit.</source>
        <translation>打开演示数据，用 AI 工具在轴位视图上发送 N 次点击，以 JSON 输出延迟（从松开鼠标到候选掩膜绘制完成，以及引擎部分），然后退出。</translation>
    </message>
    <message>
        <location filename="../app/studio/main.cpp" line="126"/>
        <source>With --bench-clicks: click while the background trainer trains on a demo project.</source>
        <translation>与 --bench-clicks 一起使用：在后台训练器训练演示项目时进行点击。</translation>
    </message>
    <message>
        <location filename="../app/studio/main.cpp" line="132"/>
        <source>Image file or DICOM folder.</source>
        <translation>图像文件或 DICOM 文件夹。</translation>
    </message>
</context>
<context>
    <name>medsa::annotations::EditHistory</name>
    <message>
        <location filename="../annotations/src/label_edit.cpp" line="95"/>
        <source>%1 (no longer undoable: memory limit)</source>
        <translation>%1（已无法撤销：超出内存限制）</translation>
    </message>
</context>
<context>
    <name>medsa::app::TrainerService</name>
    <message>
        <location filename="../app/studio/trainer_service.cpp" line="82"/>
        <source>Paused</source>
        <translation>已暂停</translation>
    </message>
    <message>
        <location filename="../app/studio/trainer_service.cpp" line="82"/>
        <source>Waiting while you work</source>
        <translation>您操作期间等待中</translation>
    </message>
    <message>
        <location filename="../app/studio/trainer_service.cpp" line="125"/>
        <source>Measuring the new adapter</source>
        <translation>正在评估新适配器</translation>
    </message>
    <message>
        <location filename="../app/studio/trainer_service.cpp" line="126"/>
        <source>Measuring the live model</source>
        <translation>正在评估当前模型</translation>
    </message>
    <message>
        <location filename="../app/studio/trainer_service.cpp" line="295"/>
        <source>Adapter v%1 was trained on another base model; the base model runs</source>
        <translation>适配器 v%1 是在另一个基础模型上训练的；当前运行基础模型</translation>
    </message>
    <message>
        <location filename="../app/studio/trainer_service.cpp" line="321"/>
        <source>%1 + adapter v%2</source>
        <translation>%1 + 适配器 v%2</translation>
    </message>
    <message>
        <location filename="../app/studio/trainer_service.cpp" line="330"/>
        <source>No model is loaded to adapt</source>
        <translation>没有已加载的模型可供适配</translation>
    </message>
    <message>
        <location filename="../app/studio/trainer_service.cpp" line="345"/>
        <source>Reading the labelled cases</source>
        <translation>正在读取已标注病例</translation>
    </message>
    <message>
        <location filename="../app/studio/trainer_service.cpp" line="376"/>
        <source>Stopped</source>
        <translation>已停止</translation>
    </message>
    <message>
        <location filename="../app/studio/trainer_service.cpp" line="381"/>
        <source>Stopped at step %1; Train Now continues from there</source>
        <translation>已在第 %1 步停止；“立即训练”将从此处继续</translation>
    </message>
</context>
<context>
    <name>medsa::ui</name>
    <message>
        <source>CT Brain</source>
        <translation type="vanished">CT 脑窗</translation>
    </message>
    <message>
        <source>CT Lung</source>
        <translation type="vanished">CT 肺窗</translation>
    </message>
    <message>
        <source>CT Abdomen</source>
        <translation type="vanished">CT 腹部窗</translation>
    </message>
    <message>
        <source>CT Bone</source>
        <translation type="vanished">CT 骨窗</translation>
    </message>
</context>
<context>
    <name>medsa::ui::CaseListModel</name>
    <message>
        <location filename="../ui/src/case_list_model.cpp" line="41"/>
        <source>new</source>
        <translation>新建</translation>
    </message>
    <message>
        <location filename="../ui/src/case_list_model.cpp" line="43"/>
        <source>in progress</source>
        <translation>进行中</translation>
    </message>
    <message>
        <location filename="../ui/src/case_list_model.cpp" line="45"/>
        <source>done</source>
        <translation>已完成</translation>
    </message>
    <message>
        <location filename="../ui/src/case_list_model.cpp" line="47"/>
        <source>reviewed</source>
        <translation>已审核</translation>
    </message>
    <message>
        <location filename="../ui/src/case_list_model.cpp" line="49"/>
        <source>skipped</source>
        <translation>已跳过</translation>
    </message>
    <message>
        <location filename="../ui/src/case_list_model.cpp" line="78"/>
        <source>Being annotated by %1 (held until %2)</source>
        <translation>%1 正在标注（保留至 %2）</translation>
    </message>
    <message>
        <location filename="../ui/src/case_list_model.cpp" line="103"/>
        <source>%1 (annotating)</source>
        <translation>%1（标注中）</translation>
    </message>
    <message>
        <location filename="../ui/src/case_list_model.cpp" line="113"/>
        <source>Case</source>
        <translation>病例</translation>
    </message>
    <message>
        <location filename="../ui/src/case_list_model.cpp" line="115"/>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../ui/src/case_list_model.cpp" line="117"/>
        <source>Labels</source>
        <translation>标签</translation>
    </message>
    <message>
        <location filename="../ui/src/case_list_model.cpp" line="119"/>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <location filename="../ui/src/case_list_model.cpp" line="121"/>
        <source>Clicks</source>
        <translation>点击数</translation>
    </message>
    <message>
        <location filename="../ui/src/case_list_model.cpp" line="123"/>
        <source>Assignee</source>
        <translation>负责人</translation>
    </message>
</context>
<context>
    <name>medsa::ui::Document</name>
    <message>
        <location filename="../ui/src/document.cpp" line="27"/>
        <location filename="../ui/src/document.cpp" line="41"/>
        <source>Label 1</source>
        <translation>标签 1</translation>
    </message>
    <message>
        <location filename="../ui/src/document.cpp" line="73"/>
        <source>Remove label %1</source>
        <translation>删除标签 %1</translation>
    </message>
</context>
<context>
    <name>medsa::ui::DocumentSession</name>
    <message>
        <location filename="../ui/src/document_session.cpp" line="60"/>
        <source>Open labels %1</source>
        <translation>打开标签 %1</translation>
    </message>
    <message>
        <location filename="../ui/src/document_session.cpp" line="364"/>
        <source>deleted</source>
        <translation>已删除</translation>
    </message>
</context>
<context>
    <name>medsa::ui::ErrorText</name>
    <message>
        <location filename="../ui/src/error_text.cpp" line="9"/>
        <source>This does not fit what is open.</source>
        <translation>这与当前打开的内容不匹配。</translation>
    </message>
    <message>
        <location filename="../ui/src/error_text.cpp" line="11"/>
        <source>The file or folder does not exist.</source>
        <translation>文件或文件夹不存在。</translation>
    </message>
    <message>
        <location filename="../ui/src/error_text.cpp" line="14"/>
        <source>The file cannot be read.</source>
        <translation>无法读取该文件。</translation>
    </message>
    <message>
        <location filename="../ui/src/error_text.cpp" line="16"/>
        <source>The file cannot be written.</source>
        <translation>无法写入该文件。</translation>
    </message>
    <message>
        <location filename="../ui/src/error_text.cpp" line="18"/>
        <source>This is not an image Med-SA Studio can open.</source>
        <translation>这不是 Med-SA Studio 能打开的图像。</translation>
    </message>
    <message>
        <location filename="../ui/src/error_text.cpp" line="21"/>
        <source>This kind of image is not supported.</source>
        <translation>不支持这种图像。</translation>
    </message>
    <message>
        <location filename="../ui/src/error_text.cpp" line="24"/>
        <source>The file is incomplete: it ends too early.</source>
        <translation>文件不完整：提前结束。</translation>
    </message>
    <message>
        <location filename="../ui/src/error_text.cpp" line="27"/>
        <source>The file is damaged.</source>
        <translation>文件已损坏。</translation>
    </message>
    <message>
        <location filename="../ui/src/error_text.cpp" line="29"/>
        <source>The DICOM images do not form one volume.</source>
        <translation>这些 DICOM 图像无法组成一个体数据。</translation>
    </message>
    <message>
        <location filename="../ui/src/error_text.cpp" line="32"/>
        <source>The model file does not hold the expected weights.</source>
        <translation>模型文件中没有预期的权重。</translation>
    </message>
    <message>
        <location filename="../ui/src/error_text.cpp" line="35"/>
        <source>This is not available here.</source>
        <translation>此功能在这里不可用。</translation>
    </message>
    <message>
        <location filename="../ui/src/error_text.cpp" line="37"/>
        <source>Cancelled.</source>
        <translation>已取消。</translation>
    </message>
    <message>
        <location filename="../ui/src/error_text.cpp" line="39"/>
        <source>Someone else is working on this case.</source>
        <translation>其他人正在处理此病例。</translation>
    </message>
    <message>
        <location filename="../ui/src/error_text.cpp" line="44"/>
        <source>Something went wrong inside Med-SA Studio.</source>
        <translation>Med-SA Studio 内部出错。</translation>
    </message>
    <message>
        <location filename="../ui/src/error_text.cpp" line="52"/>
        <source>Details: %1</source>
        <translation>详情：%1</translation>
    </message>
    <message>
        <location filename="../ui/src/error_text.cpp" line="55"/>
        <source>File: %1</source>
        <translation>文件：%1</translation>
    </message>
</context>
<context>
    <name>medsa::ui::LabelPanel</name>
    <message>
        <location filename="../ui/src/label_panel.cpp" line="26"/>
        <source>Label</source>
        <translation>标签</translation>
    </message>
    <message>
        <location filename="../ui/src/label_panel.cpp" line="26"/>
        <source>Show</source>
        <translation>显示</translation>
    </message>
    <message>
        <location filename="../ui/src/label_panel.cpp" line="26"/>
        <source>Lock</source>
        <translation>锁定</translation>
    </message>
    <message>
        <location filename="../ui/src/label_panel.cpp" line="36"/>
        <source>Add</source>
        <translation>添加</translation>
    </message>
    <message>
        <location filename="../ui/src/label_panel.cpp" line="38"/>
        <source>Remove</source>
        <translation>删除</translation>
    </message>
    <message>
        <location filename="../ui/src/label_panel.cpp" line="44"/>
        <source>Opacity of the label overlay</source>
        <translation>标签叠加层的不透明度</translation>
    </message>
    <message>
        <location filename="../ui/src/label_panel.cpp" line="50"/>
        <source>Opacity</source>
        <translation>不透明度</translation>
    </message>
    <message>
        <location filename="../ui/src/label_panel.cpp" line="93"/>
        <source>Double-click to change the colour</source>
        <translation>双击以更改颜色</translation>
    </message>
    <message>
        <location filename="../ui/src/label_panel.cpp" line="96"/>
        <source>Value %1 in the label map</source>
        <translation>标签图中的值 %1</translation>
    </message>
    <message>
        <location filename="../ui/src/label_panel.cpp" line="144"/>
        <source>Label Colour</source>
        <translation>标签颜色</translation>
    </message>
    <message>
        <location filename="../ui/src/label_panel.cpp" line="152"/>
        <source>Label %1</source>
        <translation>标签 %1</translation>
    </message>
    <message>
        <location filename="../ui/src/label_panel.cpp" line="163"/>
        <location filename="../ui/src/label_panel.cpp" line="170"/>
        <source>Remove Label</source>
        <translation>删除标签</translation>
    </message>
    <message>
        <location filename="../ui/src/label_panel.cpp" line="164"/>
        <source>%1 is locked; unlock it to remove it.</source>
        <translation>%1 已锁定；请先解锁再删除。</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/src/label_panel.cpp" line="171"/>
        <source>Remove %1 and erase its %n voxel(s)? Edit → Undo brings both back.</source>
        <translation>
            <numerusform>删除 %1 并擦除其 %n 个体素？编辑 → 撤销可将二者恢复。</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>medsa::ui::MainWindow</name>
    <message>
        <location filename="../ui/src/main_window.cpp" line="52"/>
        <source>Med-SA Studio</source>
        <translation>Med-SA Studio</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="161"/>
        <source>Autosave failed: %1</source>
        <translation>自动保存失败：%1</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="165"/>
        <source>Labels saved to %1</source>
        <translation>标签已保存到 %1</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="169"/>
        <source>Cannot save labels</source>
        <translation>无法保存标签</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="95"/>
        <source>click → mask %1 ms</source>
        <translation>点击 → 掩膜 %1 ms</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="97"/>
        <source>box → mask %1 ms</source>
        <translation>框选 → 掩膜 %1 ms</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="233"/>
        <source>Image embedding computed in %1 ms</source>
        <translation>图像嵌入计算完成，用时 %1 ms</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="238"/>
        <source>Model loaded: %1</source>
        <translation>模型已加载：%1</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="244"/>
        <source>Cannot load the model</source>
        <translation>无法加载模型</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="105"/>
        <source>Labels</source>
        <translation>标签</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="112"/>
        <source>&lt;opened image&gt;</source>
        <translation>&lt;已打开的图像&gt;</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="113"/>
        <source>History</source>
        <translation>历史</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation type="vanished">取消</translation>
    </message>
    <message>
        <source>Ready</source>
        <translation type="vanished">就绪</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window_menus.cpp" line="81"/>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window_menus.cpp" line="83"/>
        <source>&amp;Open Image…</source>
        <translation>打开图像(&amp;O)…</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window_menus.cpp" line="84"/>
        <source>Open an image file (NIfTI, NRRD, MetaImage, DICOM, PNG, JPEG, TIFF)</source>
        <translation>打开图像文件（NIfTI、NRRD、MetaImage、DICOM、PNG、JPEG、TIFF）</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window_menus.cpp" line="87"/>
        <source>Open &amp;DICOM Folder…</source>
        <translation>打开 DICOM 文件夹(&amp;D)…</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window_menus.cpp" line="87"/>
        <source>Ctrl+Shift+O</source>
        <translation>Ctrl+Shift+O</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window_menus.cpp" line="90"/>
        <source>Open D&amp;emo</source>
        <translation>打开演示(&amp;E)</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window_menus.cpp" line="92"/>
        <source>Open Demo &amp;Photograph</source>
        <translation>打开演示照片(&amp;P)</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window_menus.cpp" line="95"/>
        <source>Ne&amp;xt Case</source>
        <translation>下一个病例(&amp;X)</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window_menus.cpp" line="95"/>
        <source>Ctrl+Right</source>
        <translation>Ctrl+Right</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window_menus.cpp" line="98"/>
        <source>Pre&amp;vious Case</source>
        <translation>上一个病例(&amp;V)</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window_menus.cpp" line="98"/>
        <source>Ctrl+Left</source>
        <translation>Ctrl+Left</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window_menus.cpp" line="101"/>
        <source>Open &amp;Recent</source>
        <translation>最近打开(&amp;R)</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window_menus.cpp" line="105"/>
        <source>&amp;Save Labels</source>
        <translation>保存标签(&amp;S)</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window_menus.cpp" line="109"/>
        <source>Save Labels &amp;As…</source>
        <translation>标签另存为(&amp;A)…</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window_menus.cpp" line="109"/>
        <source>Ctrl+Shift+S</source>
        <translation>Ctrl+Shift+S</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window_menus.cpp" line="112"/>
        <source>Open &amp;Labels…</source>
        <translation>打开标签(&amp;L)…</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window_menus.cpp" line="112"/>
        <source>Ctrl+L</source>
        <translation>Ctrl+L</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window_menus.cpp" line="116"/>
        <source>Load &amp;Model…</source>
        <translation>加载模型(&amp;M)…</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window_menus.cpp" line="116"/>
        <source>Ctrl+M</source>
        <translation>Ctrl+M</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window_menus.cpp" line="120"/>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window_menus.cpp" line="127"/>
        <source>&amp;Edit</source>
        <translation>编辑(&amp;E)</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window_menus.cpp" line="130"/>
        <source>&amp;Undo</source>
        <translation>撤销(&amp;U)</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window_menus.cpp" line="133"/>
        <source>&amp;Redo</source>
        <translation>重做(&amp;R)</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window_menus.cpp" line="136"/>
        <source>Ctrl+Shift+Z</source>
        <translation>Ctrl+Shift+Z</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window_menus.cpp" line="136"/>
        <source>Ctrl+Y</source>
        <translation>Ctrl+Y</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window_menus.cpp" line="143"/>
        <source>&amp;Tools</source>
        <translation>工具(&amp;T)</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window_menus.cpp" line="152"/>
        <source>&amp;Navigate (crosshair, window/level)</source>
        <translation>导航（十字线、窗宽/窗位）(&amp;N)</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window_menus.cpp" line="152"/>
        <source>Navigate</source>
        <translation>导航</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window_menus.cpp" line="154"/>
        <source>&amp;AI Segment (click +, right click −, drag a box)</source>
        <translation>AI 分割（单击 +，右键单击 −，拖出框）(&amp;A)</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window_menus.cpp" line="154"/>
        <source>AI Segment</source>
        <translation>AI 分割</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window_menus.cpp" line="156"/>
        <source>&amp;Brush</source>
        <translation>画笔(&amp;B)</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window_menus.cpp" line="156"/>
        <source>Brush</source>
        <translation>画笔</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window_menus.cpp" line="158"/>
        <source>&amp;Eraser</source>
        <translation>橡皮擦(&amp;E)</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window_menus.cpp" line="158"/>
        <source>Eraser</source>
        <translation>橡皮擦</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window_menus.cpp" line="161"/>
        <source>&amp;Polygon / Lasso (click vertices or drag; double click or Enter fills, Esc cancels)</source>
        <translation>多边形 / 套索（单击顶点或拖动；双击或按 Enter 填充，按 Esc 取消）(&amp;P)</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window_menus.cpp" line="162"/>
        <source>Polygon / Lasso</source>
        <translation>多边形 / 套索</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window_menus.cpp" line="163"/>
        <source>Tools</source>
        <translation>工具</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window_menus.cpp" line="167"/>
        <source>Open…</source>
        <translation>打开…</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window_menus.cpp" line="186"/>
        <source>Accept Candidate</source>
        <translation>接受候选</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window_menus.cpp" line="197"/>
        <source>Discard Prompt</source>
        <translation>放弃提示</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window_menus.cpp" line="200"/>
        <source>Next Candidate</source>
        <translation>下一个候选</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window_menus.cpp" line="207"/>
        <source>Smaller Brush</source>
        <translation>缩小画笔</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window_menus.cpp" line="210"/>
        <source>Larger Brush</source>
        <translation>放大画笔</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window_menus.cpp" line="216"/>
        <source>&amp;Fill Holes (active label, this slice)</source>
        <translation>填充空洞（当前标签，本层）(&amp;F)</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window_menus.cpp" line="222"/>
        <source>Remove Small &amp;Islands (this slice)</source>
        <translation>去除小岛（本层）(&amp;I)</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window_menus.cpp" line="228"/>
        <source>&amp;Clear Slice (active label)</source>
        <translation>清除本层（当前标签）(&amp;C)</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window_menus.cpp" line="228"/>
        <source>Shift+Del</source>
        <translation>Shift+Del</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window_menus.cpp" line="236"/>
        <source>&amp;Propagate Through Volume</source>
        <translation>在体数据中传播(&amp;P)</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window_menus.cpp" line="236"/>
        <source>Ctrl+P</source>
        <translation>Ctrl+P</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window_menus.cpp" line="239"/>
        <source>Propagation &amp;Settings…</source>
        <translation>传播设置(&amp;S)…</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window_menus.cpp" line="252"/>
        <source>Pre-compute &amp;Neighbouring Slices</source>
        <translation>预先计算相邻层面(&amp;N)</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window_menus.cpp" line="256"/>
        <source>Off (only the slice on screen)</source>
        <translation>关闭（仅当前显示的层面）</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/src/main_window_menus.cpp" line="257"/>
        <source>%n per side</source>
        <translation>
            <numerusform>每侧 %n 层</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../ui/src/main_window_menus.cpp" line="271"/>
        <source>&amp;Labels</source>
        <translation>标签(&amp;L)</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window_menus.cpp" line="273"/>
        <source>&amp;New Label</source>
        <translation>新建标签(&amp;N)</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window_menus.cpp" line="273"/>
        <source>Ctrl+Shift+N</source>
        <translation>Ctrl+Shift+N</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window_menus.cpp" line="286"/>
        <source>&amp;Previous Label</source>
        <translation>上一个标签(&amp;P)</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window_menus.cpp" line="289"/>
        <source>N&amp;ext Label</source>
        <translation>下一个标签(&amp;E)</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window_menus.cpp" line="294"/>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window_menus.cpp" line="296"/>
        <source>&amp;Three Views</source>
        <translation>三视图(&amp;T)</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window_menus.cpp" line="296"/>
        <source>Ctrl+1</source>
        <translation>Ctrl+1</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window_menus.cpp" line="299"/>
        <source>&amp;Single View</source>
        <translation>单视图(&amp;S)</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window_menus.cpp" line="299"/>
        <source>Ctrl+2</source>
        <translation>Ctrl+2</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window_menus.cpp" line="302"/>
        <source>&amp;Reset Zoom</source>
        <translation>重置缩放(&amp;R)</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window_menus.cpp" line="313"/>
        <source>Next Slice</source>
        <translation>下一层</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window_menus.cpp" line="316"/>
        <source>Previous Slice</source>
        <translation>上一层</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window_menus.cpp" line="319"/>
        <source>&amp;Window/Level</source>
        <translation>窗宽/窗位(&amp;W)</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window_menus.cpp" line="332"/>
        <source>Image Default</source>
        <translation>图像默认</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window_menus.cpp" line="339"/>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window_menus.cpp" line="342"/>
        <source>&amp;Keyboard Shortcuts</source>
        <translation>键盘快捷键(&amp;K)</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window_menus.cpp" line="346"/>
        <source>&amp;About Med-SA Studio</source>
        <translation>关于 Med-SA Studio(&amp;A)</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window_menus.cpp" line="349"/>
        <source>About &amp;Qt</source>
        <translation>关于 Qt(&amp;Q)</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window_menus.cpp" line="359"/>
        <source>AI segmentation with %1</source>
        <translation>使用 %1 进行 AI 分割</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window_menus.cpp" line="360"/>
        <source>No model loaded: choose a checkpoint with File → Load Model… (manual tools work without one)</source>
        <translation>未加载模型：请通过“文件 → 加载模型…”选择检查点（手动工具无需模型即可使用）</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window_menus.cpp" line="364"/>
        <source>AI off: no model (File → Load Model…)</source>
        <translation>AI 已关闭：无模型（文件 → 加载模型…）</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window_menus.cpp" line="365"/>
        <source>AI off</source>
        <translation>AI 已关闭</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window_menus.cpp" line="366"/>
        <source>AI ready</source>
        <translation>AI 就绪</translation>
    </message>
    <message>
        <source>Keyboard Shortcuts</source>
        <translation type="vanished">键盘快捷键</translation>
    </message>
    <message>
        <source>Action</source>
        <translation type="vanished">操作</translation>
    </message>
    <message>
        <source>Keys</source>
        <translation type="vanished">按键</translation>
    </message>
    <message>
        <source>AI: positive point / negative point</source>
        <translation type="vanished">AI：正向点 / 负向点</translation>
    </message>
    <message>
        <source>Left click / right click (or Shift+click)</source>
        <translation type="vanished">左键单击 / 右键单击（或 Shift+单击）</translation>
    </message>
    <message>
        <source>AI: box prompt</source>
        <translation type="vanished">AI：框提示</translation>
    </message>
    <message>
        <source>Left drag</source>
        <translation type="vanished">左键拖动</translation>
    </message>
    <message>
        <source>Brush size</source>
        <translation type="vanished">画笔大小</translation>
    </message>
    <message>
        <source>[ and ], or Shift+wheel</source>
        <translation type="vanished">[ 和 ]，或 Shift+滚轮</translation>
    </message>
    <message>
        <source>Scroll slices</source>
        <translation type="vanished">滚动浏览层面</translation>
    </message>
    <message>
        <source>Wheel, Up/Down</source>
        <translation type="vanished">滚轮、上/下方向键</translation>
    </message>
    <message>
        <source>Zoom</source>
        <translation type="vanished">缩放</translation>
    </message>
    <message>
        <source>Ctrl+wheel</source>
        <translation type="vanished">Ctrl+滚轮</translation>
    </message>
    <message>
        <source>Pan</source>
        <translation type="vanished">平移</translation>
    </message>
    <message>
        <source>Middle drag</source>
        <translation type="vanished">中键拖动</translation>
    </message>
    <message>
        <source>Window/level</source>
        <translation type="vanished">窗宽/窗位</translation>
    </message>
    <message>
        <source>Right drag (Navigate tool) or Ctrl+right drag</source>
        <translation type="vanished">右键拖动（导航工具）或 Ctrl+右键拖动</translation>
    </message>
    <message>
        <source>Maximise a view</source>
        <translation type="vanished">最大化视图</translation>
    </message>
    <message>
        <source>Double-click (Navigate tool)</source>
        <translation type="vanished">双击（导航工具）</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window_menus.cpp" line="378"/>
        <source>About Med-SA Studio</source>
        <translation>关于 Med-SA Studio</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window_menus.cpp" line="379"/>
        <source>&lt;h3&gt;Med-SA Studio %1&lt;/h3&gt;&lt;p&gt;Interactive medical image annotation with an in-process Segment Anything engine and medical adapters that learn from your work.&lt;/p&gt;&lt;p&gt;Licensed under the Apache License 2.0.&lt;/p&gt;</source>
        <translation>&lt;h3&gt;Med-SA Studio %1&lt;/h3&gt;&lt;p&gt;交互式医学图像标注：进程内 Segment Anything 引擎与可从您的标注中学习的医学适配器。&lt;/p&gt;&lt;p&gt;依据 Apache License 2.0 授权。&lt;/p&gt;</translation>
    </message>
    <message>
        <source>%1

File: %2</source>
        <translation type="vanished">%1

文件：%2</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window_menus.cpp" line="389"/>
        <source>Open Image</source>
        <translation>打开图像</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window_menus.cpp" line="390"/>
        <source>Images (*.nii *.nii.gz *.nrrd *.nhdr *.mha *.mhd *.dcm *.png *.jpg *.jpeg *.tif *.tiff *.bmp);;All files (*)</source>
        <translation>图像 (*.nii *.nii.gz *.nrrd *.nhdr *.mha *.mhd *.dcm *.png *.jpg *.jpeg *.tif *.tiff *.bmp);;所有文件 (*)</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window_menus.cpp" line="397"/>
        <source>Open DICOM Folder</source>
        <translation>打开 DICOM 文件夹</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="223"/>
        <location filename="../ui/src/main_window.cpp" line="257"/>
        <source>Cannot open image</source>
        <translation>无法打开图像</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="260"/>
        <source>Still opening %1</source>
        <translation>仍在打开 %1</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="266"/>
        <source>Opening %1…</source>
        <translation>正在打开 %1…</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="220"/>
        <source>Opening cancelled</source>
        <translation>已取消打开</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="223"/>
        <source>Cannot open DICOM folder</source>
        <translation>无法打开 DICOM 文件夹</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="282"/>
        <source>A 4D image: showing its first time point</source>
        <translation>4D 图像：显示第一个时间点</translation>
    </message>
    <message>
        <source>%1 — Med-SA Studio</source>
        <translation type="vanished">%1 — Med-SA Studio</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="287"/>
        <source>Demo</source>
        <translation>演示</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="358"/>
        <source>This is the last case in its folder.</source>
        <translation>这是所在文件夹中的最后一个病例。</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="359"/>
        <source>This is the first case in its folder.</source>
        <translation>这是所在文件夹中的第一个病例。</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="413"/>
        <source>The labels have changed since they were last saved. Save them first?</source>
        <translation>标签自上次保存后已更改。是否先保存？</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="376"/>
        <source>Pre-computing embeddings ahead… %1 %</source>
        <translation>正在预先计算图像嵌入… %1 %</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="139"/>
        <source>Open an image (File → Open Image, Ctrl+O) or a DICOM folder, or try File → Open Demo.</source>
        <translation>打开图像（文件 → 打开图像，Ctrl+O）或 DICOM 文件夹，或试试 文件 → 打开演示。</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="143"/>
        <source>Enter accepts the candidate, Tab shows the next one, more clicks correct it, Esc discards it.</source>
        <translation>回车接受候选，Tab 显示下一个，继续点击可修正，Esc 放弃。</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="147"/>
        <source>Paint with the brush (B) or the polygon (L); File → Load Model… adds AI segmentation.</source>
        <translation>用画笔（B）或多边形（L）绘制；文件 → 加载模型… 可启用 AI 分割。</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="152"/>
        <source>AI Segment (A): click a structure or drag a box around it; right click marks background.</source>
        <translation>AI 分割（A）：点击一个结构或围绕它拖出方框；右键标记背景。</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="170"/>
        <source>Choose another folder with File → Save Labels As… (Ctrl+Shift+S).</source>
        <translation>请用 文件 → 标签另存为…（Ctrl+Shift+S）选择其他文件夹。</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="249"/>
        <source>Pre-computing embeddings failed: %1</source>
        <translation>预计算嵌入失败：%1</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="286"/>
        <source>%1[*] — Med-SA Studio</source>
        <translation>%1[*] — Med-SA Studio</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="350"/>
        <source>Next and Previous Case walk through the images of the folder an image was opened from; %1 has none.</source>
        <translation>下一个/上一个病例会遍历打开图像所在文件夹中的图像；%1没有这样的文件夹。</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="352"/>
        <source>the demo</source>
        <translation>演示数据</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="352"/>
        <source>no open image</source>
        <translation>当前未打开图像</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="377"/>
        <source>Computing image embedding… %1 %</source>
        <translation>正在计算图像嵌入… %1 %</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="398"/>
        <source>background</source>
        <translation>背景</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="400"/>
        <source>value %1</source>
        <translation>值 %1</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="402"/>
        <source>(%1, %2, %3)  value %4  label %5</source>
        <translation>(%1, %2, %3)  值 %4  标签 %5</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="448"/>
        <source>Save Labels</source>
        <translation>保存标签</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="450"/>
        <source>PNG label image (*.png);;NIfTI (*.nii.gz *.nii);;NRRD (*.nrrd)</source>
        <translation>PNG 标签图像 (*.png);;NIfTI (*.nii.gz *.nii);;NRRD (*.nrrd)</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="451"/>
        <source>NIfTI (*.nii.gz *.nii);;NRRD (*.nrrd);;MetaImage (*.mha)</source>
        <translation>NIfTI (*.nii.gz *.nii);;NRRD (*.nrrd);;MetaImage (*.mha)</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window_menus.cpp" line="414"/>
        <source>Open Labels</source>
        <translation>打开标签</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window_menus.cpp" line="415"/>
        <source>Label maps (*.nii *.nii.gz *.nrrd *.mha *.png);;All files (*)</source>
        <translation>标签图 (*.nii *.nii.gz *.nrrd *.mha *.png);;所有文件 (*)</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="178"/>
        <source>Cannot open labels</source>
        <translation>无法打开标签</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="175"/>
        <source>Labels opened from %1</source>
        <translation>已从 %1 打开标签</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window_menus.cpp" line="421"/>
        <source>Load Model</source>
        <translation>加载模型</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window_menus.cpp" line="422"/>
        <source>SAM / Med-SA checkpoints (*.pth *.pt *.safetensors);;All files (*)</source>
        <translation>SAM / Med-SA 检查点 (*.pth *.pt *.safetensors);;所有文件 (*)</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="479"/>
        <source>Loading model…</source>
        <translation>正在加载模型…</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="196"/>
        <source>Cannot recover the autosave</source>
        <translation>无法恢复自动保存</translation>
    </message>
    <message>
        <source>Recover Annotations</source>
        <translation type="vanished">恢复标注</translation>
    </message>
    <message>
        <source>Med-SA Studio did not close normally. Annotations of %1 were autosaved at %2.

Recover them?</source>
        <translation type="vanished">Med-SA Studio 未正常关闭。%1 的标注已于 %2 自动保存。

是否恢复？</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="191"/>
        <source>Recovered the annotations autosaved at %1</source>
        <translation>已恢复于 %1 自动保存的标注</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="419"/>
        <source>Unsaved Annotations</source>
        <translation>未保存的标注</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window_menus.cpp" line="327"/>
        <source>Auto (1st–99th percentile, MR)</source>
        <translation>自动（第 1–99 百分位数，MR）</translation>
    </message>
    <message>
        <source>the demo image</source>
        <translation type="vanished">演示图像</translation>
    </message>
    <message>
        <source>The labels have changed since they were last saved. Save them before closing?</source>
        <translation type="vanished">标签自上次保存后已更改。是否在关闭前保存？</translation>
    </message>
    <message>
        <location filename="../ui/src/startup_sequence.cpp" line="41"/>
        <source>%1 was not opened: the recovered annotations belong to another image</source>
        <translation>未打开 %1：恢复的标注属于另一幅图像</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window_project.cpp" line="31"/>
        <source>Cases</source>
        <translation>病例</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window_project.cpp" line="50"/>
        <source>Project %1: %2</source>
        <translation>项目 %1：%2</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window_project.cpp" line="57"/>
        <source>Imported %1 new case(s) of %2 found</source>
        <translation>找到 %2 个，导入了 %1 个新病例</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window_project.cpp" line="65"/>
        <source>Image Missing</source>
        <translation>图像缺失</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window_project.cpp" line="66"/>
        <source>The case&apos;s image is not at
%1
any more. Locate it? (Its content is checked.)</source>
        <translation>该病例的图像已不在
%1
要重新定位吗？（会校验其内容。）</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window_project.cpp" line="73"/>
        <source>Locate the DICOM Folder</source>
        <translation>定位 DICOM 文件夹</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window_project.cpp" line="74"/>
        <source>Locate the Image</source>
        <translation>定位图像</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window_project.cpp" line="89"/>
        <source>&amp;Project</source>
        <translation>项目(&amp;P)</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window_project.cpp" line="93"/>
        <source>&amp;New Project…</source>
        <translation>新建项目(&amp;N)…</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window_project.cpp" line="101"/>
        <source>&amp;Open Project…</source>
        <translation>打开项目(&amp;O)…</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window_project.cpp" line="101"/>
        <source>Ctrl+Shift+P</source>
        <translation>Ctrl+Shift+P</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window_project.cpp" line="105"/>
        <source>Open Project</source>
        <translation>打开项目</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window_project.cpp" line="110"/>
        <source>Open &amp;Team Project…</source>
        <translation>打开团队项目(&amp;T)…</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window_project.cpp" line="116"/>
        <source>Open Team Project</source>
        <translation>打开团队项目</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window_project.cpp" line="117"/>
        <source>PostgreSQL URL (postgresql://user@host:port/database); the password is read from PGPASSWORD or ~/.pgpass:</source>
        <translation>PostgreSQL 地址（postgresql://用户@主机:端口/数据库）；密码从 PGPASSWORD 或 ~/.pgpass 读取：</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window_project.cpp" line="124"/>
        <source>&amp;Import Images…</source>
        <translation>导入图像(&amp;I)…</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window_project.cpp" line="128"/>
        <source>Import Images</source>
        <translation>导入图像</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window_project.cpp" line="131"/>
        <source>Import &amp;Folder…</source>
        <translation>导入文件夹(&amp;F)…</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window_project.cpp" line="136"/>
        <source>Import a Folder of Images or DICOM Series</source>
        <translation>导入图像文件夹或 DICOM 序列</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window_project.cpp" line="143"/>
        <source>No project case is open.</source>
        <translation>当前没有打开的项目病例。</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window_project.cpp" line="158"/>
        <source>Mark &amp;Done</source>
        <translation>标记为已完成(&amp;D)</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window_project.cpp" line="158"/>
        <source>Ctrl+D</source>
        <translation>Ctrl+D</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window_project.cpp" line="161"/>
        <source>Mark &amp;Reviewed</source>
        <translation>标记为已审核(&amp;R)</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window_project.cpp" line="161"/>
        <source>Ctrl+Shift+D</source>
        <translation>Ctrl+Shift+D</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window_project.cpp" line="164"/>
        <source>&amp;Skip Case</source>
        <translation>跳过病例(&amp;S)</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window_project.cpp" line="164"/>
        <source>Ctrl+K</source>
        <translation>Ctrl+K</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window_project.cpp" line="168"/>
        <source>&amp;Close Project</source>
        <translation>关闭项目(&amp;C)</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window_project.cpp" line="181"/>
        <source>No unfinished case after this one: %1</source>
        <translation>此后没有未完成的病例：%1</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window_project.cpp" line="182"/>
        <source>No unfinished case before this one.</source>
        <translation>此前没有未完成的病例。</translation>
    </message>
    <message>
        <location filename="../ui/src/model_menu.cpp" line="22"/>
        <source>Manage Models</source>
        <translation>管理模型</translation>
    </message>
    <message>
        <location filename="../ui/src/model_menu.cpp" line="40"/>
        <source>&amp;Model</source>
        <translation>模型(&amp;M)</translation>
    </message>
    <message>
        <location filename="../ui/src/model_menu.cpp" line="42"/>
        <source>&amp;Manage Models…</source>
        <translation>管理模型(&amp;M)…</translation>
    </message>
    <message>
        <location filename="../ui/src/model_menu.cpp" line="44"/>
        <source>Download, verify and choose SAM and MedSAM checkpoints</source>
        <translation>下载、校验并选择 SAM 与 MedSAM 检查点</translation>
    </message>
    <message>
        <location filename="../ui/src/model_menu.cpp" line="40"/>
        <source>&amp;Zoom In on Boxes and Corrections</source>
        <translation>框选与修正时放大(&amp;Z)</translation>
    </message>
    <message>
        <location filename="../ui/src/model_menu.cpp" line="40"/>
        <source>&amp;Automatic (Small Models)</source>
        <translation>自动（小模型）(&amp;A)</translation>
    </message>
    <message>
        <location filename="../ui/src/model_menu.cpp" line="40"/>
        <source>Boxes and correction clicks are answered in a crop around the object for models with a small input, such as the starter model</source>
        <translation>对输入尺寸较小的模型（如入门模型），框选与修正点击在目标周围的裁剪区域中作答</translation>
    </message>
    <message>
        <location filename="../ui/src/model_menu.cpp" line="40"/>
        <source>A&amp;lways</source>
        <translation>总是(&amp;L)</translation>
    </message>
    <message>
        <location filename="../ui/src/model_menu.cpp" line="40"/>
        <source>Also for SAM-sized models: each new crop costs an image encoding</source>
        <translation>也用于 SAM 尺寸的模型：每个新的裁剪区域需要一次图像编码</translation>
    </message>
    <message>
        <location filename="../ui/src/model_menu.cpp" line="40"/>
        <source>&amp;Never</source>
        <translation>从不(&amp;N)</translation>
    </message>
    <message>
        <location filename="../ui/src/model_menu.cpp" line="40"/>
        <source>Every prompt is answered in the whole picture</source>
        <translation>所有提示都在整幅图像中作答</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window_trainer.cpp" line="15"/>
        <source>Trainer</source>
        <translation>训练器</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window_trainer.cpp" line="24"/>
        <source>1 held-out case</source>
        <translation>1 个留出病例</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window_trainer.cpp" line="25"/>
        <source>%1 held-out cases</source>
        <translation>%1 个留出病例</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window_trainer.cpp" line="26"/>
        <source>Adapter v%1: Dice %2 → %3 on %4</source>
        <translation>适配器 v%1：Dice %2 → %3（%4）</translation>
    </message>
</context>
<context>
    <name>medsa::ui::ModelManagerDialog</name>
    <message>
        <location filename="../ui/src/model_manager_dialog.cpp" line="36"/>
        <source>Manage Models</source>
        <translation>管理模型</translation>
    </message>
    <message>
        <location filename="../ui/src/model_manager_dialog.cpp" line="41"/>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <location filename="../ui/src/model_manager_dialog.cpp" line="41"/>
        <source>Size</source>
        <translation>大小</translation>
    </message>
    <message>
        <location filename="../ui/src/model_manager_dialog.cpp" line="41"/>
        <source>Licence</source>
        <translation>许可证</translation>
    </message>
    <message>
        <location filename="../ui/src/model_manager_dialog.cpp" line="41"/>
        <source>Profile</source>
        <translation>处理方式</translation>
    </message>
    <message>
        <location filename="../ui/src/model_manager_dialog.cpp" line="42"/>
        <source>SHA-256</source>
        <translation>SHA-256</translation>
    </message>
    <message>
        <location filename="../ui/src/model_manager_dialog.cpp" line="42"/>
        <source>On this machine</source>
        <translation>本机状态</translation>
    </message>
    <message>
        <location filename="../ui/src/model_manager_dialog.cpp" line="60"/>
        <source>&amp;Download</source>
        <translation>下载(&amp;D)</translation>
    </message>
    <message>
        <location filename="../ui/src/model_manager_dialog.cpp" line="61"/>
        <source>&amp;Pause</source>
        <translation>暂停(&amp;P)</translation>
    </message>
    <message>
        <location filename="../ui/src/model_manager_dialog.cpp" line="62"/>
        <source>&amp;Resume</source>
        <translation>继续(&amp;R)</translation>
    </message>
    <message>
        <location filename="../ui/src/model_manager_dialog.cpp" line="63"/>
        <source>&amp;Cancel Download</source>
        <translation>取消下载(&amp;C)</translation>
    </message>
    <message>
        <location filename="../ui/src/model_manager_dialog.cpp" line="64"/>
        <source>&amp;Import File…</source>
        <translation>导入文件(&amp;I)…</translation>
    </message>
    <message>
        <location filename="../ui/src/model_manager_dialog.cpp" line="65"/>
        <source>Open Download Pa&amp;ge</source>
        <translation>打开下载页面(&amp;G)</translation>
    </message>
    <message>
        <location filename="../ui/src/model_manager_dialog.cpp" line="66"/>
        <source>&amp;Use</source>
        <translation>使用(&amp;U)</translation>
    </message>
    <message>
        <location filename="../ui/src/model_manager_dialog.cpp" line="83"/>
        <source>Default model per modality</source>
        <translation>各模态的默认模型</translation>
    </message>
    <message>
        <location filename="../ui/src/model_manager_dialog.cpp" line="86"/>
        <source>CT:</source>
        <translation>CT：</translation>
    </message>
    <message>
        <location filename="../ui/src/model_manager_dialog.cpp" line="86"/>
        <source>MR:</source>
        <translation>MR：</translation>
    </message>
    <message>
        <location filename="../ui/src/model_manager_dialog.cpp" line="86"/>
        <source>Photographs:</source>
        <translation>照片：</translation>
    </message>
    <message>
        <location filename="../ui/src/model_manager_dialog.cpp" line="130"/>
        <source>Loading %1…</source>
        <translation>正在加载 %1…</translation>
    </message>
    <message>
        <location filename="../ui/src/model_manager_dialog.cpp" line="164"/>
        <location filename="../ui/src/model_manager_dialog.cpp" line="170"/>
        <source>%1 MB</source>
        <translation>%1 MB</translation>
    </message>
    <message>
        <location filename="../ui/src/model_manager_dialog.cpp" line="164"/>
        <location filename="../ui/src/model_manager_dialog.cpp" line="171"/>
        <source>unknown</source>
        <translation>未知</translation>
    </message>
    <message>
        <location filename="../ui/src/model_manager_dialog.cpp" line="165"/>
        <location filename="../ui/src/model_manager_dialog.cpp" line="273"/>
        <source>MedSAM</source>
        <translation>MedSAM</translation>
    </message>
    <message>
        <location filename="../ui/src/model_manager_dialog.cpp" line="165"/>
        <location filename="../ui/src/model_manager_dialog.cpp" line="171"/>
        <location filename="../ui/src/model_manager_dialog.cpp" line="273"/>
        <source>SAM</source>
        <translation>SAM</translation>
    </message>
    <message>
        <location filename="../ui/src/model_manager_dialog.cpp" line="166"/>
        <source>yes</source>
        <translation>有</translation>
    </message>
    <message>
        <location filename="../ui/src/model_manager_dialog.cpp" line="166"/>
        <location filename="../ui/src/model_manager_dialog.cpp" line="171"/>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <location filename="../ui/src/model_manager_dialog.cpp" line="204"/>
        <source>Imported, not in the catalogue</source>
        <translation>已导入，不在目录中</translation>
    </message>
    <message>
        <location filename="../ui/src/model_manager_dialog.cpp" line="209"/>
        <source>Installed</source>
        <translation>已安装</translation>
    </message>
    <message>
        <location filename="../ui/src/model_manager_dialog.cpp" line="211"/>
        <source>Missing (should be installed with the program)</source>
        <translation>缺失（应随程序一起安装）</translation>
    </message>
    <message>
        <location filename="../ui/src/model_manager_dialog.cpp" line="213"/>
        <source>Partly downloaded (%1 MB)</source>
        <translation>部分已下载（%1 MB）</translation>
    </message>
    <message>
        <location filename="../ui/src/model_manager_dialog.cpp" line="215"/>
        <source>Download from the publisher&apos;s page, then import</source>
        <translation>请从发布者的页面下载，然后导入</translation>
    </message>
    <message>
        <location filename="../ui/src/model_manager_dialog.cpp" line="217"/>
        <source>Not downloaded</source>
        <translation>未下载</translation>
    </message>
    <message>
        <location filename="../ui/src/model_manager_dialog.cpp" line="231"/>
        <source>(none)</source>
        <translation>（无）</translation>
    </message>
    <message>
        <location filename="../ui/src/model_manager_dialog.cpp" line="240"/>
        <source>%1 (not on this machine)</source>
        <translation>%1（不在本机上）</translation>
    </message>
    <message>
        <location filename="../ui/src/model_manager_dialog.cpp" line="271"/>
        <source>&lt;b&gt;%1&lt;/b&gt; from %2. Licence %3, %4 processing.</source>
        <translation>&lt;b&gt;%1&lt;/b&gt;，来自 %2。许可证 %3，%4 处理方式。</translation>
    </message>
    <message>
        <location filename="../ui/src/model_manager_dialog.cpp" line="275"/>
        <source>SHA-256 %1</source>
        <translation>SHA-256 %1</translation>
    </message>
    <message>
        <location filename="../ui/src/model_manager_dialog.cpp" line="277"/>
        <source>The catalogue has no SHA-256 for this model: a download or import of it cannot be verified.</source>
        <translation>目录中没有此模型的 SHA-256：它的下载或导入无法校验。</translation>
    </message>
    <message>
        <location filename="../ui/src/model_manager_dialog.cpp" line="280"/>
        <source>File: %1</source>
        <translation>文件：%1</translation>
    </message>
    <message>
        <location filename="../ui/src/model_manager_dialog.cpp" line="282"/>
        <source>File: %1 (not in the catalogue, not verified)</source>
        <translation>文件：%1（不在目录中，未校验）</translation>
    </message>
    <message>
        <location filename="../ui/src/model_manager_dialog.cpp" line="292"/>
        <location filename="../ui/src/model_manager_dialog.cpp" line="299"/>
        <source>Checking SHA-256… %p%</source>
        <translation>正在校验 SHA-256… %p%</translation>
    </message>
    <message>
        <location filename="../ui/src/model_manager_dialog.cpp" line="309"/>
        <source>%1 of %2 MB</source>
        <translation>%1 / %2 MB</translation>
    </message>
    <message>
        <location filename="../ui/src/model_manager_dialog.cpp" line="326"/>
        <source>Downloading %1 from %2…</source>
        <translation>正在从 %2 下载 %1…</translation>
    </message>
    <message>
        <location filename="../ui/src/model_manager_dialog.cpp" line="329"/>
        <location filename="../ui/src/model_manager_dialog.cpp" line="380"/>
        <source>Checking the SHA-256 of %1…</source>
        <translation>正在校验 %1 的 SHA-256…</translation>
    </message>
    <message>
        <location filename="../ui/src/model_manager_dialog.cpp" line="333"/>
        <source>Paused: %1 keeps %2 MB; Resume continues from there.</source>
        <translation>已暂停：%1 保留了 %2 MB；“继续”将从此处接着下载。</translation>
    </message>
    <message>
        <location filename="../ui/src/model_manager_dialog.cpp" line="337"/>
        <source>The download of %1 was interrupted; Resume continues from where it stopped.</source>
        <translation>%1 的下载已中断；“继续”将从中断处接着下载。</translation>
    </message>
    <message>
        <location filename="../ui/src/model_manager_dialog.cpp" line="346"/>
        <source>%1 is downloaded and verified: its SHA-256 is the catalogue&apos;s.</source>
        <translation>%1 已下载并通过校验：其 SHA-256 与目录一致。</translation>
    </message>
    <message>
        <location filename="../ui/src/model_manager_dialog.cpp" line="348"/>
        <source>%1 is downloaded, but the catalogue has no checksum for it, so it could not be verified. Its SHA-256 is %2.</source>
        <translation>%1 已下载，但目录中没有它的校验和，因此无法校验。其 SHA-256 为 %2。</translation>
    </message>
    <message>
        <location filename="../ui/src/model_manager_dialog.cpp" line="362"/>
        <source>The download of %1 was cancelled and its partial file deleted.</source>
        <translation>%1 的下载已取消，部分下载的文件已删除。</translation>
    </message>
    <message>
        <location filename="../ui/src/model_manager_dialog.cpp" line="373"/>
        <source>Import Model</source>
        <translation>导入模型</translation>
    </message>
    <message>
        <location filename="../ui/src/model_manager_dialog.cpp" line="374"/>
        <source>SAM / Med-SA checkpoints (*.pth *.pt *.safetensors);;All files (*)</source>
        <translation>SAM / Med-SA 检查点 (*.pth *.pt *.safetensors);;所有文件 (*)</translation>
    </message>
    <message>
        <location filename="../ui/src/model_manager_dialog.cpp" line="400"/>
        <source>%1 is imported as %2: its SHA-256 is the catalogue&apos;s.</source>
        <translation>%1 已作为 %2 导入：其 SHA-256 与目录一致。</translation>
    </message>
    <message>
        <location filename="../ui/src/model_manager_dialog.cpp" line="404"/>
        <source>%1 is not imported: its SHA-256 %2 differs from the catalogue&apos;s %3 for %4. The file is damaged or another file of the same name.</source>
        <translation>%1 未导入：其 SHA-256 %2 与目录中 %4 的 %3 不同。该文件已损坏，或是另一个同名文件。</translation>
    </message>
    <message>
        <location filename="../ui/src/model_manager_dialog.cpp" line="411"/>
        <source>%1 is imported as %2, but the catalogue has no checksum for it, so it could not be verified. Its SHA-256 is %3.</source>
        <translation>%1 已作为 %2 导入，但目录中没有它的校验和，因此无法校验。其 SHA-256 为 %3。</translation>
    </message>
    <message>
        <location filename="../ui/src/model_manager_dialog.cpp" line="418"/>
        <source>%1 is not in the catalogue: imported as it is, not verified. Its SHA-256 is %2.</source>
        <translation>%1 不在目录中：已按原样导入，未经校验。其 SHA-256 为 %2。</translation>
    </message>
</context>
<context>
    <name>medsa::ui::NewProjectDialog</name>
    <message>
        <location filename="../ui/src/new_project_dialog.cpp" line="15"/>
        <source>New Project</source>
        <translation>新建项目</translation>
    </message>
    <message>
        <location filename="../ui/src/new_project_dialog.cpp" line="18"/>
        <source>Liver CT 2026</source>
        <translation>肝脏 CT 2026</translation>
    </message>
    <message>
        <location filename="../ui/src/new_project_dialog.cpp" line="21"/>
        <source>a new or empty folder</source>
        <translation>新的或空的文件夹</translation>
    </message>
    <message>
        <location filename="../ui/src/new_project_dialog.cpp" line="22"/>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <location filename="../ui/src/new_project_dialog.cpp" line="25"/>
        <source>Label 1</source>
        <translation>标签 1</translation>
    </message>
    <message>
        <location filename="../ui/src/new_project_dialog.cpp" line="26"/>
        <source>Comma-separated; they get the values 1, 2, 3, ... in this order</source>
        <translation>以逗号分隔；按此顺序取值 1、2、3……</translation>
    </message>
    <message>
        <location filename="../ui/src/new_project_dialog.cpp" line="31"/>
        <source>Name:</source>
        <translation>名称：</translation>
    </message>
    <message>
        <location filename="../ui/src/new_project_dialog.cpp" line="32"/>
        <source>Folder:</source>
        <translation>文件夹：</translation>
    </message>
    <message>
        <location filename="../ui/src/new_project_dialog.cpp" line="33"/>
        <source>Labels:</source>
        <translation>标签：</translation>
    </message>
    <message>
        <location filename="../ui/src/new_project_dialog.cpp" line="36"/>
        <source>Create</source>
        <translation>创建</translation>
    </message>
    <message>
        <location filename="../ui/src/new_project_dialog.cpp" line="43"/>
        <source>Project Folder</source>
        <translation>项目文件夹</translation>
    </message>
</context>
<context>
    <name>medsa::ui::ProjectController</name>
    <message>
        <location filename="../ui/src/project_controller.cpp" line="93"/>
        <location filename="../ui/src/project_controller.cpp" line="108"/>
        <location filename="../ui/src/project_controller.cpp" line="136"/>
        <source>Cannot open the project</source>
        <translation>无法打开项目</translation>
    </message>
    <message>
        <location filename="../ui/src/project_controller.cpp" line="178"/>
        <source>Cannot create the project</source>
        <translation>无法创建项目</translation>
    </message>
    <message>
        <location filename="../ui/src/project_controller.cpp" line="221"/>
        <source>Cannot import</source>
        <translation>无法导入</translation>
    </message>
    <message>
        <location filename="../ui/src/project_controller.cpp" line="232"/>
        <source>Cannot read the project</source>
        <translation>无法读取项目</translation>
    </message>
    <message>
        <location filename="../ui/src/project_controller.cpp" line="250"/>
        <source>%1 of %2 done</source>
        <translation>已完成 %1 / %2</translation>
    </message>
    <message>
        <location filename="../ui/src/project_controller.cpp" line="282"/>
        <source>Cannot read the case&apos;s labels</source>
        <translation>无法读取该病例的标注</translation>
    </message>
    <message>
        <location filename="../ui/src/project_controller.cpp" line="305"/>
        <source>Cannot relink the image</source>
        <translation>无法重新关联图像</translation>
    </message>
    <message>
        <location filename="../ui/src/project_controller.cpp" line="335"/>
        <source>Cannot change the case&apos;s status</source>
        <translation>无法更改病例状态</translation>
    </message>
    <message>
        <location filename="../ui/src/project_controller.cpp" line="378"/>
        <source>case %1</source>
        <translation>病例 %1</translation>
    </message>
    <message>
        <location filename="../ui/src/project_controller.cpp" line="417"/>
        <source>Cannot update the project</source>
        <translation>无法更新项目</translation>
    </message>
    <message>
        <location filename="../ui/src/project_controller.cpp" line="469"/>
        <source>Cannot record the interaction log</source>
        <translation>无法记录交互日志</translation>
    </message>
    <message>
        <location filename="../ui/src/project_controller_team.cpp" line="40"/>
        <source>Cannot open the case</source>
        <translation>无法打开该病例</translation>
    </message>
    <message>
        <location filename="../ui/src/project_controller_team.cpp" line="71"/>
        <source>Cannot take the next case</source>
        <translation>无法领取下一个病例</translation>
    </message>
    <message>
        <location filename="../ui/src/project_controller_team.cpp" line="79"/>
        <source>No unfinished case is free: %1</source>
        <translation>没有空闲的未完成病例：%1</translation>
    </message>
    <message>
        <location filename="../ui/src/project_controller_team.cpp" line="103"/>
        <source>This case is no longer yours (%1); your saves will be kept as conflict versions</source>
        <translation>此病例已不再由您持有（%1）；您的保存将作为冲突版本保留</translation>
    </message>
</context>
<context>
    <name>medsa::ui::ProjectPanel</name>
    <message>
        <location filename="../ui/src/project_panel.cpp" line="31"/>
        <source>All cases</source>
        <translation>全部病例</translation>
    </message>
    <message>
        <location filename="../ui/src/project_panel.cpp" line="32"/>
        <source>Unfinished</source>
        <translation>未完成</translation>
    </message>
    <message>
        <location filename="../ui/src/project_panel.cpp" line="38"/>
        <source>Search cases and labels</source>
        <translation>搜索病例和标签</translation>
    </message>
    <message>
        <location filename="../ui/src/project_panel.cpp" line="83"/>
        <source>&lt;b&gt;%1&lt;/b&gt; — %2</source>
        <translation>&lt;b&gt;%1&lt;/b&gt; — %2</translation>
    </message>
    <message>
        <location filename="../ui/src/project_panel.cpp" line="85"/>
        <source>No project open (Project → New or Open)</source>
        <translation>未打开项目（项目 → 新建或打开）</translation>
    </message>
</context>
<context>
    <name>medsa::ui::PropagationController</name>
    <message>
        <location filename="../ui/src/propagation_controller.cpp" line="57"/>
        <source>Propagation needs a volume.</source>
        <translation>传播需要三维体数据。</translation>
    </message>
    <message>
        <location filename="../ui/src/propagation_controller.cpp" line="61"/>
        <source>Propagation needs a model: File → Load Model…</source>
        <translation>传播需要模型：文件 → 加载模型…</translation>
    </message>
    <message>
        <location filename="../ui/src/propagation_controller.cpp" line="66"/>
        <source>The active label is locked; unlock it to propagate.</source>
        <translation>当前标签已锁定；请先解锁再传播。</translation>
    </message>
    <message>
        <location filename="../ui/src/propagation_controller.cpp" line="93"/>
        <source>Nothing of the active label on slice %1 to propagate.</source>
        <translation>第 %1 层上没有可供传播的当前标签内容。</translation>
    </message>
    <message>
        <location filename="../ui/src/propagation_controller.cpp" line="107"/>
        <source>Propagating through the volume…</source>
        <translation>正在体数据中传播…</translation>
    </message>
    <message>
        <location filename="../ui/src/propagation_controller.cpp" line="107"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../ui/src/propagation_controller.cpp" line="137"/>
        <source>Propagation cancelled</source>
        <translation>传播已取消</translation>
    </message>
    <message>
        <location filename="../ui/src/propagation_controller.cpp" line="139"/>
        <location filename="../ui/src/propagation_controller.cpp" line="152"/>
        <source>Propagation failed</source>
        <translation>传播失败</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/src/propagation_controller.cpp" line="178"/>
        <source>Propagate over %n slice(s)</source>
        <translation>
            <numerusform>传播 %n 层</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/src/propagation_controller.cpp" line="187"/>
        <source>Propagated over %n slice(s). Upwards: %1. Downwards: %2.</source>
        <translation>
            <numerusform>已传播 %n 层。向上：%1。向下：%2。</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../ui/src/propagation_controller.cpp" line="197"/>
        <source>not run</source>
        <translation>未运行</translation>
    </message>
    <message>
        <location filename="../ui/src/propagation_controller.cpp" line="199"/>
        <source>reached the end of the volume</source>
        <translation>已到达体数据末端</translation>
    </message>
    <message>
        <location filename="../ui/src/propagation_controller.cpp" line="201"/>
        <source>reached the slice limit</source>
        <translation>已达到层数上限</translation>
    </message>
    <message>
        <location filename="../ui/src/propagation_controller.cpp" line="203"/>
        <source>stopped at slice %1, predicted IoU %2 below the threshold</source>
        <translation>在第 %1 层停止，预测 IoU %2 低于阈值</translation>
    </message>
    <message>
        <location filename="../ui/src/propagation_controller.cpp" line="207"/>
        <source>stopped at slice %1, where the object became too small</source>
        <translation>在第 %1 层停止，目标变得过小</translation>
    </message>
    <message>
        <location filename="../ui/src/propagation_controller.cpp" line="209"/>
        <source>stopped at slice %1, where the object moved away</source>
        <translation>在第 %1 层停止，目标发生偏移</translation>
    </message>
    <message numerus="yes">
        <source>Propagated over %n slice(s); stopped: %1 / %2</source>
        <translation type="vanished">
            <numerusform>已传播 %n 层；停止原因：%1 / %2</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>medsa::ui::PropagationSettingsDialog</name>
    <message>
        <location filename="../ui/src/propagation_settings_dialog.cpp" line="21"/>
        <source>Propagation Settings</source>
        <translation>传播设置</translation>
    </message>
    <message>
        <location filename="../ui/src/propagation_settings_dialog.cpp" line="33"/>
        <source>Stop when the model&apos;s own quality estimate for a slice falls below this.</source>
        <translation>当模型对某一层面的质量估计低于此值时停止。</translation>
    </message>
    <message>
        <location filename="../ui/src/propagation_settings_dialog.cpp" line="36"/>
        <source>Stop when a slice&apos;s mask overlaps the previous one less than this (share of the smaller mask): the object moved away or another one was found.</source>
        <translation>当某一层面的掩膜与上一层面的重叠低于此值时停止（按较小掩膜的比例计）：目标已移开或找到了另一个目标。</translation>
    </message>
    <message>
        <source> pixels</source>
        <translation type="vanished"> 像素</translation>
    </message>
    <message>
        <location filename="../ui/src/propagation_settings_dialog.cpp" line="42"/>
        <source>Stop when the object gets smaller than this: it has ended.</source>
        <translation>当目标小于此值时停止：目标已结束。</translation>
    </message>
    <message>
        <location filename="../ui/src/propagation_settings_dialog.cpp" line="47"/>
        <source>no limit</source>
        <translation>不限</translation>
    </message>
    <message>
        <location filename="../ui/src/propagation_settings_dialog.cpp" line="49"/>
        <source>At most this many slices above and below the start slice.</source>
        <translation>起始层面上下各最多传播这么多层。</translation>
    </message>
    <message>
        <location filename="../ui/src/propagation_settings_dialog.cpp" line="52"/>
        <source>Minimum predicted IoU:</source>
        <translation>最小预测 IoU：</translation>
    </message>
    <message>
        <location filename="../ui/src/propagation_settings_dialog.cpp" line="53"/>
        <source>Minimum overlap with the previous slice:</source>
        <translation>与上一层面的最小重叠：</translation>
    </message>
    <message>
        <location filename="../ui/src/propagation_settings_dialog.cpp" line="54"/>
        <source>Minimum object size (pixels):</source>
        <translation>最小目标尺寸（像素）：</translation>
    </message>
    <message>
        <source>Minimum object size:</source>
        <translation type="vanished">最小目标大小：</translation>
    </message>
    <message>
        <location filename="../ui/src/propagation_settings_dialog.cpp" line="55"/>
        <source>Slices per direction at most:</source>
        <translation>每个方向最多层数：</translation>
    </message>
</context>
<context>
    <name>medsa::ui::RecoveryDialog</name>
    <message>
        <location filename="../ui/src/recovery_dialog.cpp" line="32"/>
        <source>Recover Annotations</source>
        <translation>恢复标注</translation>
    </message>
    <message>
        <location filename="../ui/src/recovery_dialog.cpp" line="33"/>
        <source>Med-SA Studio did not close normally. These annotations were autosaved and can be recovered:</source>
        <translation>Med-SA Studio 未正常关闭。以下标注已自动保存，可以恢复：</translation>
    </message>
    <message>
        <location filename="../ui/src/recovery_dialog.cpp" line="39"/>
        <source>Image</source>
        <translation>图像</translation>
    </message>
    <message>
        <location filename="../ui/src/recovery_dialog.cpp" line="39"/>
        <source>Autosaved</source>
        <translation>自动保存于</translation>
    </message>
    <message>
        <location filename="../ui/src/recovery_dialog.cpp" line="39"/>
        <source>Labels</source>
        <translation>标签</translation>
    </message>
    <message>
        <location filename="../ui/src/recovery_dialog.cpp" line="50"/>
        <source>&amp;Recover</source>
        <translation>恢复(&amp;R)</translation>
    </message>
    <message>
        <location filename="../ui/src/recovery_dialog.cpp" line="52"/>
        <source>&amp;Delete…</source>
        <translation>删除(&amp;D)…</translation>
    </message>
    <message>
        <location filename="../ui/src/recovery_dialog.cpp" line="54"/>
        <source>&amp;Not Now</source>
        <translation>暂不(&amp;N)</translation>
    </message>
    <message>
        <location filename="../ui/src/recovery_dialog.cpp" line="56"/>
        <source>Keep the autosaves; they are offered again at the next start</source>
        <translation>保留自动保存；下次启动时会再次提示</translation>
    </message>
    <message>
        <location filename="../ui/src/recovery_dialog.cpp" line="86"/>
        <source>Built-in demo (%1)</source>
        <translation>内置演示（%1）</translation>
    </message>
    <message>
        <location filename="../ui/src/recovery_dialog.cpp" line="91"/>
        <source>%1 (cannot be recovered: %2)</source>
        <translation>%1（无法恢复：%2）</translation>
    </message>
    <message>
        <location filename="../ui/src/recovery_dialog.cpp" line="114"/>
        <source>Delete Autosave</source>
        <translation>删除自动保存</translation>
    </message>
    <message>
        <location filename="../ui/src/recovery_dialog.cpp" line="115"/>
        <source>Delete these autosaved annotations for good? They cannot be recovered afterwards.</source>
        <translation>永久删除这些自动保存的标注？删除后无法恢复。</translation>
    </message>
    <message>
        <location filename="../ui/src/recovery_dialog.cpp" line="120"/>
        <source>(deleted)</source>
        <translation>（已删除）</translation>
    </message>
</context>
<context>
    <name>medsa::ui::SeriesPickerDialog</name>
    <message>
        <location filename="../ui/src/series_picker_dialog.cpp" line="51"/>
        <source>Choose a DICOM Series</source>
        <translation>选择 DICOM 序列</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/src/series_picker_dialog.cpp" line="52"/>
        <source>%n image series found in %1. Choose the one to open:</source>
        <translation>
            <numerusform>在 %1 中找到 %n 个图像序列。请选择要打开的序列：</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../ui/src/series_picker_dialog.cpp" line="61"/>
        <source>Number</source>
        <translation>序号</translation>
    </message>
    <message>
        <location filename="../ui/src/series_picker_dialog.cpp" line="61"/>
        <source>Description</source>
        <translation>描述</translation>
    </message>
    <message>
        <location filename="../ui/src/series_picker_dialog.cpp" line="61"/>
        <source>Modality</source>
        <translation>模态</translation>
    </message>
    <message>
        <location filename="../ui/src/series_picker_dialog.cpp" line="61"/>
        <source>Plane</source>
        <translation>平面</translation>
    </message>
    <message>
        <location filename="../ui/src/series_picker_dialog.cpp" line="62"/>
        <source>Size</source>
        <translation>尺寸</translation>
    </message>
    <message>
        <location filename="../ui/src/series_picker_dialog.cpp" line="62"/>
        <source>Series UID</source>
        <translation>序列 UID</translation>
    </message>
    <message>
        <location filename="../ui/src/series_picker_dialog.cpp" line="62"/>
        <source>Acquired</source>
        <translation>采集时间</translation>
    </message>
    <message>
        <location filename="../ui/src/series_picker_dialog.cpp" line="62"/>
        <source>Files</source>
        <translation>文件数</translation>
    </message>
    <message>
        <location filename="../ui/src/series_picker_dialog.cpp" line="78"/>
        <source>(no description)</source>
        <translation>（无描述）</translation>
    </message>
    <message>
        <location filename="../ui/src/series_picker_dialog.cpp" line="82"/>
        <source>%1 × %2 × %3</source>
        <translation>%1 × %2 × %3</translation>
    </message>
    <message>
        <location filename="../ui/src/series_picker_dialog.cpp" line="91"/>
        <source>Open</source>
        <translation>打开</translation>
    </message>
    <message>
        <location filename="../ui/src/series_picker_dialog.cpp" line="118"/>
        <source>axial</source>
        <translation>轴位</translation>
    </message>
    <message>
        <location filename="../ui/src/series_picker_dialog.cpp" line="119"/>
        <source>coronal</source>
        <translation>冠状位</translation>
    </message>
    <message>
        <location filename="../ui/src/series_picker_dialog.cpp" line="120"/>
        <source>sagittal</source>
        <translation>矢状位</translation>
    </message>
    <message>
        <location filename="../ui/src/series_picker_dialog.cpp" line="121"/>
        <source>oblique</source>
        <translation>斜位</translation>
    </message>
</context>
<context>
    <name>medsa::ui::ShortcutsDialog</name>
    <message>
        <location filename="../ui/src/shortcuts_dialog.cpp" line="18"/>
        <source>Keyboard Shortcuts</source>
        <translation>键盘快捷键</translation>
    </message>
    <message>
        <location filename="../ui/src/shortcuts_dialog.cpp" line="22"/>
        <source>Action</source>
        <translation>操作</translation>
    </message>
    <message>
        <location filename="../ui/src/shortcuts_dialog.cpp" line="22"/>
        <source>Keys</source>
        <translation>按键</translation>
    </message>
    <message>
        <location filename="../ui/src/shortcuts_dialog.cpp" line="41"/>
        <source>AI: positive point / negative point</source>
        <translation>AI：正向点 / 负向点</translation>
    </message>
    <message>
        <location filename="../ui/src/shortcuts_dialog.cpp" line="41"/>
        <source>Left click / right click (or Shift+click)</source>
        <translation>左键单击 / 右键单击（或 Shift+单击）</translation>
    </message>
    <message>
        <location filename="../ui/src/shortcuts_dialog.cpp" line="42"/>
        <source>AI: box prompt</source>
        <translation>AI：框提示</translation>
    </message>
    <message>
        <location filename="../ui/src/shortcuts_dialog.cpp" line="42"/>
        <source>Left drag</source>
        <translation>左键拖动</translation>
    </message>
    <message>
        <location filename="../ui/src/shortcuts_dialog.cpp" line="43"/>
        <source>Brush size</source>
        <translation>画笔大小</translation>
    </message>
    <message>
        <location filename="../ui/src/shortcuts_dialog.cpp" line="43"/>
        <source>[ and ], or Shift+wheel</source>
        <translation>[ 和 ]，或 Shift+滚轮</translation>
    </message>
    <message>
        <location filename="../ui/src/shortcuts_dialog.cpp" line="44"/>
        <source>Scroll slices</source>
        <translation>滚动浏览层面</translation>
    </message>
    <message>
        <location filename="../ui/src/shortcuts_dialog.cpp" line="44"/>
        <source>Wheel, Up/Down</source>
        <translation>滚轮、上/下方向键</translation>
    </message>
    <message>
        <location filename="../ui/src/shortcuts_dialog.cpp" line="45"/>
        <source>Zoom</source>
        <translation>缩放</translation>
    </message>
    <message>
        <location filename="../ui/src/shortcuts_dialog.cpp" line="45"/>
        <source>Ctrl+wheel</source>
        <translation>Ctrl+滚轮</translation>
    </message>
    <message>
        <location filename="../ui/src/shortcuts_dialog.cpp" line="46"/>
        <source>Pan</source>
        <translation>平移</translation>
    </message>
    <message>
        <location filename="../ui/src/shortcuts_dialog.cpp" line="46"/>
        <source>Middle drag</source>
        <translation>中键拖动</translation>
    </message>
    <message>
        <location filename="../ui/src/shortcuts_dialog.cpp" line="47"/>
        <source>Window/level</source>
        <translation>窗宽/窗位</translation>
    </message>
    <message>
        <location filename="../ui/src/shortcuts_dialog.cpp" line="47"/>
        <source>Right drag (Navigate tool) or Ctrl+right drag</source>
        <translation>右键拖动（导航工具）或 Ctrl+右键拖动</translation>
    </message>
    <message>
        <location filename="../ui/src/shortcuts_dialog.cpp" line="48"/>
        <source>Maximise a view</source>
        <translation>最大化视图</translation>
    </message>
    <message>
        <location filename="../ui/src/shortcuts_dialog.cpp" line="48"/>
        <source>Double-click (Navigate tool)</source>
        <translation>双击（导航工具）</translation>
    </message>
</context>
<context>
    <name>medsa::ui::SliceView</name>
    <message>
        <location filename="../ui/src/slice_view.cpp" line="304"/>
        <source>%1  %2 / %3</source>
        <translation>%1  %2 / %3</translation>
    </message>
    <message>
        <location filename="../ui/src/slice_view.cpp" line="305"/>
        <source>Axial</source>
        <translation>轴位</translation>
    </message>
    <message>
        <location filename="../ui/src/slice_view.cpp" line="306"/>
        <source>Coronal</source>
        <translation>冠状位</translation>
    </message>
    <message>
        <location filename="../ui/src/slice_view.cpp" line="307"/>
        <source>Sagittal</source>
        <translation>矢状位</translation>
    </message>
</context>
<context>
    <name>medsa::ui::StatusLine</name>
    <message>
        <location filename="../ui/src/status_line.cpp" line="29"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
</context>
<context>
    <name>medsa::ui::ToolController</name>
    <message>
        <location filename="../ui/src/tool_controller.cpp" line="20"/>
        <source>The engine could not segment: %1</source>
        <translation>引擎无法完成分割：%1</translation>
    </message>
    <message>
        <location filename="../ui/src/tool_controller.cpp" line="91"/>
        <source>The model is still loading; the prompt will not run yet.</source>
        <translation>模型仍在加载中；暂不执行该提示。</translation>
    </message>
    <message>
        <location filename="../ui/src/tool_controller.cpp" line="92"/>
        <source>No model loaded: choose one with File → Load Model…</source>
        <translation>未加载模型：请通过“文件 → 加载模型…”选择模型</translation>
    </message>
    <message>
        <location filename="../ui/src/tool_controller.cpp" line="131"/>
        <source>No candidate yet: click a structure or drag a box first.</source>
        <translation>还没有候选：请先点击一个结构或拖出方框。</translation>
    </message>
    <message>
        <location filename="../ui/src/tool_controller.cpp" line="136"/>
        <source>Only one candidate for several points or a box: click again to correct it.</source>
        <translation>多个点或方框只产生一个候选：继续点击即可修正。</translation>
    </message>
    <message>
        <location filename="../ui/src/tool_controller.cpp" line="145"/>
        <source>Candidate %1 of %2 (predicted IoU %3)</source>
        <translation>候选 %1 / %2（预测 IoU %3）</translation>
    </message>
    <message>
        <location filename="../ui/src/tool_controller.cpp" line="155"/>
        <source>Choose a label first.</source>
        <translation>请先选择一个标签。</translation>
    </message>
    <message>
        <location filename="../ui/src/tool_controller.cpp" line="159"/>
        <source>The active label is locked; unlock it to edit it.</source>
        <translation>当前标签已锁定；请先解锁再编辑。</translation>
    </message>
    <message>
        <location filename="../ui/src/tool_controller.cpp" line="177"/>
        <source>Wait for the candidate before accepting.</source>
        <translation>请等待候选结果生成后再接受。</translation>
    </message>
    <message>
        <location filename="../ui/src/tool_controller.cpp" line="178"/>
        <source>Nothing to accept: click on the object first.</source>
        <translation>没有可接受的结果：请先单击目标。</translation>
    </message>
    <message>
        <location filename="../ui/src/tool_controller.cpp" line="183"/>
        <source>AI segment → %1</source>
        <translation>AI 分割 → %1</translation>
    </message>
    <message>
        <location filename="../ui/src/tool_controller.cpp" line="248"/>
        <source>Erase stroke</source>
        <translation>橡皮擦笔画</translation>
    </message>
    <message>
        <location filename="../ui/src/tool_controller.cpp" line="248"/>
        <source>Brush stroke</source>
        <translation>画笔笔画</translation>
    </message>
    <message>
        <location filename="../ui/src/tool_controller.cpp" line="271"/>
        <source>A polygon needs at least three vertices.</source>
        <translation>多边形至少需要三个顶点。</translation>
    </message>
    <message>
        <location filename="../ui/src/tool_controller.cpp" line="282"/>
        <source>Polygon fill</source>
        <translation>多边形填充</translation>
    </message>
    <message>
        <location filename="../ui/src/tool_controller.cpp" line="283"/>
        <source>The polygon changed nothing.</source>
        <translation>多边形未产生任何更改。</translation>
    </message>
    <message>
        <location filename="../ui/src/tool_controller.cpp" line="314"/>
        <source>Fill holes</source>
        <translation>填充空洞</translation>
    </message>
    <message>
        <location filename="../ui/src/tool_controller.cpp" line="315"/>
        <source>No holes to fill on this slice.</source>
        <translation>本层没有需要填充的空洞。</translation>
    </message>
    <message>
        <location filename="../ui/src/tool_controller.cpp" line="330"/>
        <source>Remove small islands</source>
        <translation>去除小岛</translation>
    </message>
    <message>
        <location filename="../ui/src/tool_controller.cpp" line="331"/>
        <source>No islands smaller than %1 pixels on this slice.</source>
        <translation>本层没有小于 %1 像素的小岛。</translation>
    </message>
    <message>
        <location filename="../ui/src/tool_controller.cpp" line="344"/>
        <source>Clear slice</source>
        <translation>清除本层</translation>
    </message>
    <message>
        <location filename="../ui/src/tool_controller.cpp" line="345"/>
        <source>The active label is not on this slice.</source>
        <translation>本层上没有当前标签。</translation>
    </message>
</context>
<context>
    <name>medsa::ui::TrainerPanel</name>
    <message>
        <location filename="../ui/src/trainer_panel.cpp" line="35"/>
        <source>Off: open a project to train on its accepted cases</source>
        <translation>关闭：打开项目以在其已接受的病例上训练</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/src/trainer_panel.cpp" line="37"/>
        <source>Idle: trains after %n more accepted case(s)</source>
        <translation>
            <numerusform>空闲：再接受 %n 个病例后开始训练</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../ui/src/trainer_panel.cpp" line="39"/>
        <source>Idle</source>
        <translation>空闲</translation>
    </message>
    <message>
        <location filename="../ui/src/trainer_panel.cpp" line="41"/>
        <source>Preparing the cases…</source>
        <translation>正在准备病例…</translation>
    </message>
    <message>
        <location filename="../ui/src/trainer_panel.cpp" line="43"/>
        <source>Training</source>
        <translation>训练中</translation>
    </message>
    <message>
        <location filename="../ui/src/trainer_panel.cpp" line="45"/>
        <source>Measuring on the held-out cases…</source>
        <translation>正在留出病例上评估…</translation>
    </message>
    <message>
        <location filename="../ui/src/trainer_panel.cpp" line="47"/>
        <source>Paused</source>
        <translation>已暂停</translation>
    </message>
    <message>
        <location filename="../ui/src/trainer_panel.cpp" line="49"/>
        <source>Failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <location filename="../ui/src/trainer_panel.cpp" line="66"/>
        <source>Train Now</source>
        <translation>立即训练</translation>
    </message>
    <message>
        <location filename="../ui/src/trainer_panel.cpp" line="68"/>
        <location filename="../ui/src/trainer_panel.cpp" line="190"/>
        <source>Pause</source>
        <translation>暂停</translation>
    </message>
    <message>
        <location filename="../ui/src/trainer_panel.cpp" line="70"/>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <location filename="../ui/src/trainer_panel.cpp" line="72"/>
        <source>Train after every</source>
        <translation>每接受</translation>
    </message>
    <message>
        <location filename="../ui/src/trainer_panel.cpp" line="77"/>
        <source> accepted cases</source>
        <translation> 个病例后训练</translation>
    </message>
    <message>
        <location filename="../ui/src/trainer_panel.cpp" line="80"/>
        <source>Training loss</source>
        <translation>训练损失</translation>
    </message>
    <message>
        <location filename="../ui/src/trainer_panel.cpp" line="81"/>
        <source>step</source>
        <translation>步</translation>
    </message>
    <message>
        <location filename="../ui/src/trainer_panel.cpp" line="81"/>
        <location filename="../ui/src/trainer_panel.cpp" line="202"/>
        <source>loss</source>
        <translation>损失</translation>
    </message>
    <message>
        <location filename="../ui/src/trainer_panel.cpp" line="84"/>
        <source>Held-out Dice by version</source>
        <translation>各版本的留出 Dice</translation>
    </message>
    <message>
        <location filename="../ui/src/trainer_panel.cpp" line="86"/>
        <source>adapter version</source>
        <translation>适配器版本</translation>
    </message>
    <message>
        <location filename="../ui/src/trainer_panel.cpp" line="86"/>
        <source>Dice</source>
        <translation>Dice</translation>
    </message>
    <message>
        <location filename="../ui/src/trainer_panel.cpp" line="90"/>
        <source>Effort per accepted case</source>
        <translation>每个已接受病例的工作量</translation>
    </message>
    <message>
        <location filename="../ui/src/trainer_panel.cpp" line="92"/>
        <source>case, in the order done</source>
        <translation>病例（按完成顺序）</translation>
    </message>
    <message>
        <location filename="../ui/src/trainer_panel.cpp" line="92"/>
        <source>clicks / minutes</source>
        <translation>点击 / 分钟</translation>
    </message>
    <message>
        <location filename="../ui/src/trainer_panel.cpp" line="95"/>
        <source>Version</source>
        <translation>版本</translation>
    </message>
    <message>
        <location filename="../ui/src/trainer_panel.cpp" line="95"/>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../ui/src/trainer_panel.cpp" line="95"/>
        <source>Dice (box)</source>
        <translation>Dice（框）</translation>
    </message>
    <message>
        <location filename="../ui/src/trainer_panel.cpp" line="96"/>
        <source>Dice (click)</source>
        <translation>Dice（点击）</translation>
    </message>
    <message>
        <location filename="../ui/src/trainer_panel.cpp" line="96"/>
        <source>NoC@90</source>
        <translation>NoC@90</translation>
    </message>
    <message>
        <location filename="../ui/src/trainer_panel.cpp" line="96"/>
        <source>Cases</source>
        <translation>病例</translation>
    </message>
    <message>
        <location filename="../ui/src/trainer_panel.cpp" line="102"/>
        <source>Make Live</source>
        <translation>设为当前</translation>
    </message>
    <message>
        <location filename="../ui/src/trainer_panel.cpp" line="104"/>
        <source>Use the selected version (an older one: a rollback)</source>
        <translation>使用所选版本（选择旧版本即回滚）</translation>
    </message>
    <message>
        <location filename="../ui/src/trainer_panel.cpp" line="105"/>
        <source>Base Model Only</source>
        <translation>仅基础模型</translation>
    </message>
    <message>
        <location filename="../ui/src/trainer_panel.cpp" line="171"/>
        <source>: step %1 of %2</source>
        <translation>：第 %1 / %2 步</translation>
    </message>
    <message>
        <location filename="../ui/src/trainer_panel.cpp" line="173"/>
        <source>, about %1 left</source>
        <translation>，约剩 %1</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/src/trainer_panel.cpp" line="175"/>
        <source>%n min</source>
        <translation>
            <numerusform>%n 分钟</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/src/trainer_panel.cpp" line="176"/>
        <source>%n s</source>
        <translation>
            <numerusform>%n 秒</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../ui/src/trainer_panel.cpp" line="190"/>
        <source>Resume</source>
        <translation>继续</translation>
    </message>
    <message>
        <location filename="../ui/src/trainer_panel.cpp" line="214"/>
        <source>after one box</source>
        <translation>一个框后</translation>
    </message>
    <message>
        <location filename="../ui/src/trainer_panel.cpp" line="215"/>
        <source>after one click</source>
        <translation>一次点击后</translation>
    </message>
    <message>
        <location filename="../ui/src/trainer_panel.cpp" line="218"/>
        <source>base</source>
        <translation>基础</translation>
    </message>
    <message>
        <location filename="../ui/src/trainer_panel.cpp" line="226"/>
        <source>%1 + %2</source>
        <translation>%1 + %2</translation>
    </message>
    <message>
        <location filename="../ui/src/trainer_panel.cpp" line="250"/>
        <source>clicks</source>
        <translation>点击</translation>
    </message>
    <message>
        <location filename="../ui/src/trainer_panel.cpp" line="251"/>
        <source>minutes</source>
        <translation>分钟</translation>
    </message>
</context>
<context>
    <name>medsa::ui::ViewerArea</name>
    <message>
        <location filename="../ui/src/viewer_area.cpp" line="48"/>
        <source>No image open</source>
        <translation>未打开图像</translation>
    </message>
    <message>
        <location filename="../ui/src/viewer_area.cpp" line="51"/>
        <source>Open an image or a DICOM folder with File → Open (Ctrl+O) or the Open button, drop one here, or try File → Open Demo.</source>
        <translation>用 文件 → 打开（Ctrl+O）或“打开”按钮打开图像或 DICOM 文件夹，也可拖放到这里，或试试 文件 → 打开演示。</translation>
    </message>
</context>
</TS>
