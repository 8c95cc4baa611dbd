<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>main</name>
    <message>
        <location filename="../app/studio/main.cpp" line="95"/>
        <source>Interactive medical image annotation</source>
        <translation>交互式医学图像标注</translation>
    </message>
    <message>
        <location filename="../app/studio/main.cpp" line="99"/>
        <source>Open the built-in demo volume.</source>
        <translation>打开内置的演示体数据。</translation>
    </message>
    <message>
        <location filename="../app/studio/main.cpp" line="102"/>
        <source>SAM / Med-SA checkpoint (.pth or .safetensors).</source>
        <translation>SAM / Med-SA 检查点（.pth 或 .safetensors）。</translation>
    </message>
    <message>
        <location filename="../app/studio/main.cpp" line="106"/>
        <source>Model geometry as JSON (default: inferred).</source>
        <translation>模型几何参数，JSON 格式（默认：自动推断）。</translation>
    </message>
    <message>
        <location filename="../app/studio/main.cpp" line="110"/>
        <source>Folder for autosaves (default: the user&apos;s data folder).</source>
        <translation>自动保存文件夹（默认：用户数据文件夹）。</translation>
    </message>
    <message>
        <location filename="../app/studio/main.cpp" line="114"/>
        <source>Label map to open with the image (NIfTI, NRRD, PNG).</source>
        <translation>随图像一同打开的标签图（NIfTI、NRRD、PNG）。</translation>
    </message>
    <message>
        <location filename="../app/studio/main.cpp" line="118"/>
        <source>Open the built-in demo fundus photograph.</source>
        <translation>打开内置的演示眼底照片。</translation>
    </message>
    <message>
        <location filename="../app/studio/main.cpp" line="122"/>
        <source>Image file or DICOM folder.</source>
        <translation>图像文件或 DICOM 文件夹。</translation>
    </message>
</context>
<context>
    <name>medsa::annotations::EditHistory</name>
    <message>
        <location filename="../annotations/src/label_edit.cpp" line="87"/>
        <source>%1 (no longer undoable: memory limit)</source>
        <translation>%1（已无法撤销：超出内存限制）</translation>
    </message>
</context>
<context>
    <name>medsa::ui</name>
    <message>
        <location filename="../ui/src/window_presets.cpp" line="13"/>
        <source>CT Brain</source>
        <translation>CT 脑窗</translation>
    </message>
    <message>
        <location filename="../ui/src/window_presets.cpp" line="14"/>
        <source>CT Lung</source>
        <translation>CT 肺窗</translation>
    </message>
    <message>
        <location filename="../ui/src/window_presets.cpp" line="15"/>
        <source>CT Abdomen</source>
        <translation>CT 腹部窗</translation>
    </message>
    <message>
        <location filename="../ui/src/window_presets.cpp" line="16"/>
        <source>CT Bone</source>
        <translation>CT 骨窗</translation>
    </message>
</context>
<context>
    <name>medsa::ui::Document</name>
    <message>
        <location filename="../ui/src/document.cpp" line="23"/>
        <location filename="../ui/src/document.cpp" line="37"/>
        <source>Label 1</source>
        <translation>标签 1</translation>
    </message>
</context>
<context>
    <name>medsa::ui::LabelPanel</name>
    <message>
        <location filename="../ui/src/label_panel.cpp" line="22"/>
        <source>Label</source>
        <translation>标签</translation>
    </message>
    <message>
        <location filename="../ui/src/label_panel.cpp" line="22"/>
        <source>Show</source>
        <translation>显示</translation>
    </message>
    <message>
        <location filename="../ui/src/label_panel.cpp" line="22"/>
        <source>Lock</source>
        <translation>锁定</translation>
    </message>
    <message>
        <location filename="../ui/src/label_panel.cpp" line="32"/>
        <source>Add</source>
        <translation>添加</translation>
    </message>
    <message>
        <location filename="../ui/src/label_panel.cpp" line="34"/>
        <source>Remove</source>
        <translation>删除</translation>
    </message>
    <message>
        <location filename="../ui/src/label_panel.cpp" line="40"/>
        <source>Opacity of the label overlay</source>
        <translation>标签叠加层的不透明度</translation>
    </message>
    <message>
        <location filename="../ui/src/label_panel.cpp" line="46"/>
        <source>Opacity</source>
        <translation>不透明度</translation>
    </message>
    <message>
        <location filename="../ui/src/label_panel.cpp" line="85"/>
        <source>Double-click to change the colour</source>
        <translation>双击以更改颜色</translation>
    </message>
    <message>
        <location filename="../ui/src/label_panel.cpp" line="88"/>
        <source>Value %1 in the label map</source>
        <translation>标签图中的值 %1</translation>
    </message>
    <message>
        <location filename="../ui/src/label_panel.cpp" line="136"/>
        <source>Label Colour</source>
        <translation>标签颜色</translation>
    </message>
    <message>
        <location filename="../ui/src/label_panel.cpp" line="144"/>
        <source>Label %1</source>
        <translation>标签 %1</translation>
    </message>
</context>
<context>
    <name>medsa::ui::MainWindow</name>
    <message>
        <location filename="../ui/src/main_window.cpp" line="60"/>
        <source>Med-SA Studio</source>
        <translation>Med-SA Studio</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="95"/>
        <source>Autosave failed: %1</source>
        <translation>自动保存失败：%1</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="105"/>
        <source>Labels saved to %1</source>
        <translation>标签已保存到 %1</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="107"/>
        <source>Cannot save labels</source>
        <translation>无法保存标签</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="127"/>
        <source>click → mask %1 ms</source>
        <translation>点击 → 掩膜 %1 ms</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="139"/>
        <source>Image embedding computed in %1 ms</source>
        <translation>图像嵌入计算完成，用时 %1 ms</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="144"/>
        <source>Model loaded: %1</source>
        <translation>模型已加载：%1</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="149"/>
        <source>Cannot load the model</source>
        <translation>无法加载模型</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="167"/>
        <source>Labels</source>
        <translation>标签</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="174"/>
        <source>&lt;opened image&gt;</source>
        <translation>&lt;已打开的图像&gt;</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="175"/>
        <source>History</source>
        <translation>历史</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="197"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="210"/>
        <source>Ready</source>
        <translation>就绪</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="225"/>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="227"/>
        <source>&amp;Open Image…</source>
        <translation>打开图像(&amp;O)…</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="228"/>
        <source>Open an image file (NIfTI, NRRD, MetaImage, DICOM, PNG, JPEG, TIFF)</source>
        <translation>打开图像文件（NIfTI、NRRD、MetaImage、DICOM、PNG、JPEG、TIFF）</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="231"/>
        <source>Open &amp;DICOM Folder…</source>
        <translation>打开 DICOM 文件夹(&amp;D)…</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="231"/>
        <source>Ctrl+Shift+O</source>
        <translation>Ctrl+Shift+O</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="234"/>
        <source>Open D&amp;emo</source>
        <translation>打开演示(&amp;E)</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="238"/>
        <source>Open Demo &amp;Photograph</source>
        <translation>打开演示照片(&amp;P)</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="243"/>
        <source>Ne&amp;xt Case</source>
        <translation>下一个病例(&amp;X)</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="243"/>
        <source>Ctrl+Right</source>
        <translation>Ctrl+Right</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="246"/>
        <source>Pre&amp;vious Case</source>
        <translation>上一个病例(&amp;V)</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="246"/>
        <source>Ctrl+Left</source>
        <translation>Ctrl+Left</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="249"/>
        <source>Open &amp;Recent</source>
        <translation>最近打开(&amp;R)</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="253"/>
        <source>&amp;Save Labels</source>
        <translation>保存标签(&amp;S)</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="256"/>
        <source>Save Labels &amp;As…</source>
        <translation>标签另存为(&amp;A)…</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="259"/>
        <source>Open &amp;Labels…</source>
        <translation>打开标签(&amp;L)…</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="259"/>
        <source>Ctrl+L</source>
        <translation>Ctrl+L</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="263"/>
        <source>Load &amp;Model…</source>
        <translation>加载模型(&amp;M)…</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="263"/>
        <source>Ctrl+M</source>
        <translation>Ctrl+M</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="267"/>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="272"/>
        <source>&amp;Edit</source>
        <translation>编辑(&amp;E)</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="275"/>
        <source>&amp;Undo</source>
        <translation>撤销(&amp;U)</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="278"/>
        <source>&amp;Redo</source>
        <translation>重做(&amp;R)</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="281"/>
        <source>Ctrl+Shift+Z</source>
        <translation>Ctrl+Shift+Z</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="281"/>
        <source>Ctrl+Y</source>
        <translation>Ctrl+Y</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="288"/>
        <source>&amp;Tools</source>
        <translation>工具(&amp;T)</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="297"/>
        <source>&amp;Navigate (crosshair, window/level)</source>
        <translation>导航（十字线、窗宽/窗位）(&amp;N)</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="297"/>
        <source>Navigate</source>
        <translation>导航</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="299"/>
        <source>&amp;AI Segment (click +, right click −, drag a box)</source>
        <translation>AI 分割（单击 +，右键单击 −，拖出框）(&amp;A)</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="299"/>
        <source>AI Segment</source>
        <translation>AI 分割</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="301"/>
        <source>&amp;Brush</source>
        <translation>画笔(&amp;B)</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="301"/>
        <source>Brush</source>
        <translation>画笔</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="303"/>
        <source>&amp;Eraser</source>
        <translation>橡皮擦(&amp;E)</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="303"/>
        <source>Eraser</source>
        <translation>橡皮擦</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="306"/>
        <source>&amp;Polygon / Lasso (click vertices or drag; double click or Enter fills, Esc cancels)</source>
        <translation>多边形 / 套索（单击顶点或拖动；双击或按 Enter 填充，按 Esc 取消）(&amp;P)</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="307"/>
        <source>Polygon / Lasso</source>
        <translation>多边形 / 套索</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="308"/>
        <source>Tools</source>
        <translation>工具</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="326"/>
        <source>Accept Candidate</source>
        <translation>接受候选</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="337"/>
        <source>Discard Prompt</source>
        <translation>放弃提示</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="340"/>
        <source>Next Candidate</source>
        <translation>下一个候选</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="346"/>
        <source>Smaller Brush</source>
        <translation>缩小画笔</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="349"/>
        <source>Larger Brush</source>
        <translation>放大画笔</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="359"/>
        <source>&amp;Fill Holes (active label, this slice)</source>
        <translation>填充空洞（当前标签，本层）(&amp;F)</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="362"/>
        <source>Remove Small &amp;Islands (this slice)</source>
        <translation>去除小岛（本层）(&amp;I)</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="365"/>
        <source>&amp;Clear Slice (active label)</source>
        <translation>清除本层（当前标签）(&amp;C)</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="365"/>
        <source>Shift+Del</source>
        <translation>Shift+Del</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="370"/>
        <source>&amp;Propagate Through Volume</source>
        <translation>在体数据中传播(&amp;P)</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="370"/>
        <source>Ctrl+P</source>
        <translation>Ctrl+P</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="373"/>
        <source>Propagation &amp;Settings…</source>
        <translation>传播设置(&amp;S)…</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="385"/>
        <source>Pre-compute &amp;Neighbouring Slices</source>
        <translation>预先计算相邻层面(&amp;N)</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="389"/>
        <source>Off (only the slice on screen)</source>
        <translation>关闭（仅当前显示的层面）</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/src/main_window.cpp" line="390"/>
        <source>%n per side</source>
        <translation>
            <numerusform>每侧 %n 层</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="402"/>
        <source>&amp;Labels</source>
        <translation>标签(&amp;L)</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="404"/>
        <source>&amp;New Label</source>
        <translation>新建标签(&amp;N)</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="404"/>
        <source>Ctrl+Shift+N</source>
        <translation>Ctrl+Shift+N</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="419"/>
        <source>&amp;Previous Label</source>
        <translation>上一个标签(&amp;P)</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="422"/>
        <source>N&amp;ext Label</source>
        <translation>下一个标签(&amp;E)</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="427"/>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="429"/>
        <source>&amp;Three Views</source>
        <translation>三视图(&amp;T)</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="429"/>
        <source>Ctrl+1</source>
        <translation>Ctrl+1</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="432"/>
        <source>&amp;Single View</source>
        <translation>单视图(&amp;S)</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="432"/>
        <source>Ctrl+2</source>
        <translation>Ctrl+2</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="435"/>
        <source>&amp;Reset Zoom</source>
        <translation>重置缩放(&amp;R)</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="448"/>
        <source>Next Slice</source>
        <translation>下一层</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="451"/>
        <source>Previous Slice</source>
        <translation>上一层</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="454"/>
        <source>&amp;Window/Level</source>
        <translation>窗宽/窗位(&amp;W)</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="467"/>
        <source>Image Default</source>
        <translation>图像默认</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="474"/>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="477"/>
        <source>&amp;Keyboard Shortcuts</source>
        <translation>键盘快捷键(&amp;K)</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="481"/>
        <source>&amp;About Med-SA Studio</source>
        <translation>关于 Med-SA Studio(&amp;A)</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="484"/>
        <source>About &amp;Qt</source>
        <translation>关于 Qt(&amp;Q)</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="494"/>
        <source>AI segmentation with %1</source>
        <translation>使用 %1 进行 AI 分割</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="495"/>
        <source>No model loaded: choose a checkpoint with File → Load Model… (manual tools work without one)</source>
        <translation>未加载模型：请通过“文件 → 加载模型…”选择检查点（手动工具无需模型即可使用）</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="499"/>
        <source>AI off: no model (File → Load Model…)</source>
        <translation>AI 已关闭：无模型（文件 → 加载模型…）</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="500"/>
        <source>AI off</source>
        <translation>AI 已关闭</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="501"/>
        <source>AI ready</source>
        <translation>AI 就绪</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="508"/>
        <source>Keyboard Shortcuts</source>
        <translation>键盘快捷键</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="512"/>
        <source>Action</source>
        <translation>操作</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="512"/>
        <source>Keys</source>
        <translation>按键</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="526"/>
        <source>AI: positive point / negative point</source>
        <translation>AI：正向点 / 负向点</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="526"/>
        <source>Left click / right click (or Shift+click)</source>
        <translation>左键单击 / 右键单击（或 Shift+单击）</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="527"/>
        <source>AI: box prompt</source>
        <translation>AI：框提示</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="527"/>
        <source>Left drag</source>
        <translation>左键拖动</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="528"/>
        <source>Brush size</source>
        <translation>画笔大小</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="528"/>
        <source>[ and ], or Shift+wheel</source>
        <translation>[ 和 ]，或 Shift+滚轮</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="529"/>
        <source>Scroll slices</source>
        <translation>滚动浏览层面</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="529"/>
        <source>Wheel, Up/Down</source>
        <translation>滚轮、上/下方向键</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="530"/>
        <source>Zoom</source>
        <translation>缩放</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="530"/>
        <source>Ctrl+wheel</source>
        <translation>Ctrl+滚轮</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="531"/>
        <source>Pan</source>
        <translation>平移</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="531"/>
        <source>Middle drag</source>
        <translation>中键拖动</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="532"/>
        <source>Window/level</source>
        <translation>窗宽/窗位</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="532"/>
        <source>Right drag (Navigate tool) or Ctrl+right drag</source>
        <translation>右键拖动（导航工具）或 Ctrl+右键拖动</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="533"/>
        <source>Maximise a view</source>
        <translation>最大化视图</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="533"/>
        <source>Double-click (Navigate tool)</source>
        <translation>双击（导航工具）</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="565"/>
        <source>About Med-SA Studio</source>
        <translation>关于 Med-SA Studio</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="566"/>
        <source>&lt;h3&gt;Med-SA Studio %1&lt;/h3&gt;&lt;p&gt;Interactive medical image annotation with an in-process Segment Anything engine and medical adapters that learn from your work.&lt;/p&gt;&lt;p&gt;Licensed under the Apache License 2.0.&lt;/p&gt;</source>
        <translation>&lt;h3&gt;Med-SA Studio %1&lt;/h3&gt;&lt;p&gt;交互式医学图像标注：进程内 Segment Anything 引擎与可从您的标注中学习的医学适配器。&lt;/p&gt;&lt;p&gt;依据 Apache License 2.0 授权。&lt;/p&gt;</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="576"/>
        <source>%1

File: %2</source>
        <translation>%1

文件：%2</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="584"/>
        <source>Open Image</source>
        <translation>打开图像</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="585"/>
        <source>Images (*.nii *.nii.gz *.nrrd *.nhdr *.mha *.mhd *.dcm *.png *.jpg *.jpeg *.tif *.tiff *.bmp);;All files (*)</source>
        <translation>图像 (*.nii *.nii.gz *.nrrd *.nhdr *.mha *.mhd *.dcm *.png *.jpg *.jpeg *.tif *.tiff *.bmp);;所有文件 (*)</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="593"/>
        <source>Open DICOM Folder</source>
        <translation>打开 DICOM 文件夹</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="599"/>
        <location filename="../ui/src/main_window.cpp" line="698"/>
        <source>Cannot open image</source>
        <translation>无法打开图像</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="603"/>
        <source>Still opening %1</source>
        <translation>仍在打开 %1</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="632"/>
        <source>Opening %1…</source>
        <translation>正在打开 %1…</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="662"/>
        <location filename="../ui/src/main_window.cpp" line="686"/>
        <source>Opening cancelled</source>
        <translation>已取消打开</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="675"/>
        <source>Cannot open DICOM folder</source>
        <translation>无法打开 DICOM 文件夹</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="738"/>
        <source>A 4D image: showing its first time point</source>
        <translation>4D 图像：显示第一个时间点</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="749"/>
        <source>%1 — Med-SA Studio</source>
        <translation>%1 — Med-SA Studio</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="749"/>
        <source>Demo</source>
        <translation>演示</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="774"/>
        <source>This is the last case in its folder.</source>
        <translation>这是所在文件夹中的最后一个病例。</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="775"/>
        <source>This is the first case in its folder.</source>
        <translation>这是所在文件夹中的第一个病例。</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="793"/>
        <source>The labels have changed since they were last saved. Save them first?</source>
        <translation>标签自上次保存后已更改。是否先保存？</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="807"/>
        <source>Pre-computing embeddings ahead… %1 %</source>
        <translation>正在预先计算图像嵌入… %1 %</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="808"/>
        <source>Computing image embedding… %1 %</source>
        <translation>正在计算图像嵌入… %1 %</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="852"/>
        <source>background</source>
        <translation>背景</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="854"/>
        <source>value %1</source>
        <translation>值 %1</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="856"/>
        <source>(%1, %2, %3)  value %4  label %5</source>
        <translation>(%1, %2, %3)  值 %4  标签 %5</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="870"/>
        <source>Save Labels</source>
        <translation>保存标签</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="873"/>
        <source>PNG label image (*.png);;NIfTI (*.nii.gz *.nii);;NRRD (*.nrrd)</source>
        <translation>PNG 标签图像 (*.png);;NIfTI (*.nii.gz *.nii);;NRRD (*.nrrd)</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="874"/>
        <source>NIfTI (*.nii.gz *.nii);;NRRD (*.nrrd);;MetaImage (*.mha)</source>
        <translation>NIfTI (*.nii.gz *.nii);;NRRD (*.nrrd);;MetaImage (*.mha)</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="890"/>
        <source>Open Labels</source>
        <translation>打开标签</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="891"/>
        <source>Label maps (*.nii *.nii.gz *.nrrd *.mha *.png);;All files (*)</source>
        <translation>标签图 (*.nii *.nii.gz *.nrrd *.mha *.png);;所有文件 (*)</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="904"/>
        <source>Cannot open labels</source>
        <translation>无法打开标签</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="909"/>
        <source>Labels opened from %1</source>
        <translation>已从 %1 打开标签</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="917"/>
        <source>Load Model</source>
        <translation>加载模型</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="918"/>
        <source>SAM / Med-SA checkpoints (*.pth *.pt *.safetensors);;All files (*)</source>
        <translation>SAM / Med-SA 检查点 (*.pth *.pt *.safetensors);;所有文件 (*)</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="926"/>
        <source>Loading model…</source>
        <translation>正在加载模型…</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="975"/>
        <location filename="../ui/src/main_window.cpp" line="1016"/>
        <source>Cannot recover the autosave</source>
        <translation>无法恢复自动保存</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="981"/>
        <source>Recover Annotations</source>
        <translation>恢复标注</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="982"/>
        <source>Med-SA Studio did not close normally. Annotations of %1 were autosaved at %2.

Recover them?</source>
        <translation>Med-SA Studio 未正常关闭。%1 的标注已于 %2 自动保存。

是否恢复？</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="1027"/>
        <source>Recovered the annotations autosaved at %1</source>
        <translation>已恢复于 %1 自动保存的标注</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="792"/>
        <location filename="../ui/src/main_window.cpp" line="1035"/>
        <source>Unsaved Annotations</source>
        <translation>未保存的标注</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="462"/>
        <source>Auto (1st–99th percentile, MR)</source>
        <translation>自动（第 1–99 百分位数，MR）</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="979"/>
        <source>the demo image</source>
        <translation>演示图像</translation>
    </message>
    <message>
        <location filename="../ui/src/main_window.cpp" line="1036"/>
        <source>The labels have changed since they were last saved. Save them before closing?</source>
        <translation>标签自上次保存后已更改。是否在关闭前保存？</translation>
    </message>
</context>
<context>
    <name>medsa::ui::PropagationController</name>
    <message>
        <location filename="../ui/src/propagation_controller.cpp" line="56"/>
        <source>Propagation needs a volume.</source>
        <translation>传播需要三维体数据。</translation>
    </message>
    <message>
        <location filename="../ui/src/propagation_controller.cpp" line="60"/>
        <source>Propagation needs a model: File → Load Model…</source>
        <translation>传播需要模型：文件 → 加载模型…</translation>
    </message>
    <message>
        <location filename="../ui/src/propagation_controller.cpp" line="65"/>
        <source>The active label is locked; unlock it to propagate.</source>
        <translation>当前标签已锁定；请先解锁再传播。</translation>
    </message>
    <message>
        <location filename="../ui/src/propagation_controller.cpp" line="92"/>
        <source>Nothing of the active label on slice %1 to propagate.</source>
        <translation>第 %1 层上没有可供传播的当前标签内容。</translation>
    </message>
    <message>
        <location filename="../ui/src/propagation_controller.cpp" line="106"/>
        <source>Propagating through the volume…</source>
        <translation>正在体数据中传播…</translation>
    </message>
    <message>
        <location filename="../ui/src/propagation_controller.cpp" line="106"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../ui/src/propagation_controller.cpp" line="136"/>
        <source>Propagation cancelled</source>
        <translation>传播已取消</translation>
    </message>
    <message>
        <location filename="../ui/src/propagation_controller.cpp" line="138"/>
        <source>Propagation failed</source>
        <translation>传播失败</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/src/propagation_controller.cpp" line="169"/>
        <source>Propagate over %n slice(s)</source>
        <translation>
            <numerusform>传播 %n 层</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/src/propagation_controller.cpp" line="179"/>
        <source>Propagated over %n slice(s); stopped: %1 / %2</source>
        <translation>
            <numerusform>已传播 %n 层；停止原因：%1 / %2</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>medsa::ui::PropagationSettingsDialog</name>
    <message>
        <location filename="../ui/src/propagation_settings_dialog.cpp" line="18"/>
        <source>Propagation Settings</source>
        <translation>传播设置</translation>
    </message>
    <message>
        <location filename="../ui/src/propagation_settings_dialog.cpp" line="30"/>
        <source>Stop when the model&apos;s own quality estimate for a slice falls below this.</source>
        <translation>当模型对某一层面的质量估计低于此值时停止。</translation>
    </message>
    <message>
        <location filename="../ui/src/propagation_settings_dialog.cpp" line="33"/>
        <source>Stop when a slice&apos;s mask overlaps the previous one less than this (share of the smaller mask): the object moved away or another one was found.</source>
        <translation>当某一层面的掩膜与上一层面的重叠低于此值时停止（按较小掩膜的比例计）：目标已移开或找到了另一个目标。</translation>
    </message>
    <message>
        <location filename="../ui/src/propagation_settings_dialog.cpp" line="39"/>
        <source> pixels</source>
        <translation> 像素</translation>
    </message>
    <message>
        <location filename="../ui/src/propagation_settings_dialog.cpp" line="40"/>
        <source>Stop when the object gets smaller than this: it has ended.</source>
        <translation>当目标小于此值时停止：目标已结束。</translation>
    </message>
    <message>
        <location filename="../ui/src/propagation_settings_dialog.cpp" line="45"/>
        <source>At most this many slices above and below the start slice.</source>
        <translation>起始层面上下各最多传播这么多层。</translation>
    </message>
    <message>
        <location filename="../ui/src/propagation_settings_dialog.cpp" line="48"/>
        <source>Minimum predicted IoU:</source>
        <translation>最小预测 IoU：</translation>
    </message>
    <message>
        <location filename="../ui/src/propagation_settings_dialog.cpp" line="49"/>
        <source>Minimum overlap with the previous slice:</source>
        <translation>与上一层面的最小重叠：</translation>
    </message>
    <message>
        <location filename="../ui/src/propagation_settings_dialog.cpp" line="50"/>
        <source>Minimum object size:</source>
        <translation>最小目标大小：</translation>
    </message>
    <message>
        <location filename="../ui/src/propagation_settings_dialog.cpp" line="51"/>
        <source>Slices per direction at most:</source>
        <translation>每个方向最多层数：</translation>
    </message>
</context>
<context>
    <name>medsa::ui::SeriesPickerDialog</name>
    <message>
        <location filename="../ui/src/series_picker_dialog.cpp" line="31"/>
        <source>Choose a DICOM Series</source>
        <translation>选择 DICOM 序列</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/src/series_picker_dialog.cpp" line="32"/>
        <source>%n image series found in %1. Choose the one to open:</source>
        <translation>
            <numerusform>在 %1 中找到 %n 个图像序列。请选择要打开的序列：</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../ui/src/series_picker_dialog.cpp" line="41"/>
        <source>Number</source>
        <translation>序号</translation>
    </message>
    <message>
        <location filename="../ui/src/series_picker_dialog.cpp" line="41"/>
        <source>Description</source>
        <translation>描述</translation>
    </message>
    <message>
        <location filename="../ui/src/series_picker_dialog.cpp" line="41"/>
        <source>Modality</source>
        <translation>模态</translation>
    </message>
    <message>
        <location filename="../ui/src/series_picker_dialog.cpp" line="41"/>
        <source>Size</source>
        <translation>尺寸</translation>
    </message>
    <message>
        <location filename="../ui/src/series_picker_dialog.cpp" line="41"/>
        <source>Series UID</source>
        <translation>序列 UID</translation>
    </message>
    <message>
        <location filename="../ui/src/series_picker_dialog.cpp" line="57"/>
        <source>(no description)</source>
        <translation>（无描述）</translation>
    </message>
    <message>
        <location filename="../ui/src/series_picker_dialog.cpp" line="61"/>
        <source>%1 × %2 × %3</source>
        <translation>%1 × %2 × %3</translation>
    </message>
    <message>
        <location filename="../ui/src/series_picker_dialog.cpp" line="66"/>
        <source>Open</source>
        <translation>打开</translation>
    </message>
</context>
<context>
    <name>medsa::ui::SliceView</name>
    <message>
        <location filename="../ui/src/slice_view.cpp" line="273"/>
        <source>%1  %2 / %3</source>
        <translation>%1  %2 / %3</translation>
    </message>
    <message>
        <location filename="../ui/src/slice_view.cpp" line="274"/>
        <source>Axial</source>
        <translation>轴位</translation>
    </message>
    <message>
        <location filename="../ui/src/slice_view.cpp" line="275"/>
        <source>Coronal</source>
        <translation>冠状位</translation>
    </message>
    <message>
        <location filename="../ui/src/slice_view.cpp" line="276"/>
        <source>Sagittal</source>
        <translation>矢状位</translation>
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
        <location filename="../ui/src/tool_controller.cpp" line="76"/>
        <source>The model is still loading; the prompt will not run yet.</source>
        <translation>模型仍在加载中；暂不执行该提示。</translation>
    </message>
    <message>
        <location filename="../ui/src/tool_controller.cpp" line="77"/>
        <source>No model loaded: choose one with File → Load Model…</source>
        <translation>未加载模型：请通过“文件 → 加载模型…”选择模型</translation>
    </message>
    <message>
        <location filename="../ui/src/tool_controller.cpp" line="118"/>
        <source>Candidate %1 of %2 (predicted IoU %3)</source>
        <translation>候选 %1 / %2（预测 IoU %3）</translation>
    </message>
    <message>
        <location filename="../ui/src/tool_controller.cpp" line="128"/>
        <source>Choose a label first.</source>
        <translation>请先选择一个标签。</translation>
    </message>
    <message>
        <location filename="../ui/src/tool_controller.cpp" line="132"/>
        <source>The active label is locked; unlock it to edit it.</source>
        <translation>当前标签已锁定；请先解锁再编辑。</translation>
    </message>
    <message>
        <location filename="../ui/src/tool_controller.cpp" line="150"/>
        <source>Wait for the candidate before accepting.</source>
        <translation>请等待候选结果生成后再接受。</translation>
    </message>
    <message>
        <location filename="../ui/src/tool_controller.cpp" line="151"/>
        <source>Nothing to accept: click on the object first.</source>
        <translation>没有可接受的结果：请先单击目标。</translation>
    </message>
    <message>
        <location filename="../ui/src/tool_controller.cpp" line="156"/>
        <source>AI segment → %1</source>
        <translation>AI 分割 → %1</translation>
    </message>
    <message>
        <location filename="../ui/src/tool_controller.cpp" line="210"/>
        <source>Erase stroke</source>
        <translation>橡皮擦笔画</translation>
    </message>
    <message>
        <location filename="../ui/src/tool_controller.cpp" line="210"/>
        <source>Brush stroke</source>
        <translation>画笔笔画</translation>
    </message>
    <message>
        <location filename="../ui/src/tool_controller.cpp" line="228"/>
        <source>A polygon needs at least three vertices.</source>
        <translation>多边形至少需要三个顶点。</translation>
    </message>
    <message>
        <location filename="../ui/src/tool_controller.cpp" line="239"/>
        <source>Polygon fill</source>
        <translation>多边形填充</translation>
    </message>
    <message>
        <location filename="../ui/src/tool_controller.cpp" line="240"/>
        <source>The polygon changed nothing.</source>
        <translation>多边形未产生任何更改。</translation>
    </message>
    <message>
        <location filename="../ui/src/tool_controller.cpp" line="261"/>
        <source>Fill holes</source>
        <translation>填充空洞</translation>
    </message>
    <message>
        <location filename="../ui/src/tool_controller.cpp" line="262"/>
        <source>No holes to fill on this slice.</source>
        <translation>本层没有需要填充的空洞。</translation>
    </message>
    <message>
        <location filename="../ui/src/tool_controller.cpp" line="275"/>
        <source>Remove small islands</source>
        <translation>去除小岛</translation>
    </message>
    <message>
        <location filename="../ui/src/tool_controller.cpp" line="276"/>
        <source>No islands smaller than %1 pixels on this slice.</source>
        <translation>本层没有小于 %1 像素的小岛。</translation>
    </message>
    <message>
        <location filename="../ui/src/tool_controller.cpp" line="287"/>
        <source>Clear slice</source>
        <translation>清除本层</translation>
    </message>
    <message>
        <location filename="../ui/src/tool_controller.cpp" line="288"/>
        <source>The active label is not on this slice.</source>
        <translation>本层上没有当前标签。</translation>
    </message>
</context>
<context>
    <name>medsa::ui::ViewerArea</name>
    <message>
        <location filename="../ui/src/viewer_area.cpp" line="46"/>
        <source>No image open</source>
        <translation>未打开图像</translation>
    </message>
</context>
</TS>
